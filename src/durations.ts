// Durations as people write them in the config and on the command line
// ("90m", "4h", "7d", "1h30m", "45s"), read into milliseconds and shown back.

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a duration such as "4h", "90m", "7d" or "1h30m"; null when the text is not one (or is zero). */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (!/^(\d+[smhdw])+$/.test(t)) return null;
  let ms = 0;
  for (const m of t.matchAll(/(\d+)([smhdw])/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/** A duration (to the second) that parseDuration reads back: "7d", "4h", "1h30m", "45m", "20s". */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) { parts.push(`${n}${unit}`); rest -= n * size; }
  }
  return parts.length ? parts.join('') : '0s';
}
