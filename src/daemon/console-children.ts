// The console processes this daemon started (`script` running `ipmitool sol
// activate`, each the leader of its own process group), recorded in a file as
// pid and start time (/proc/<pid>/stat field 22) the moment they start. A
// daemon killed with -9 leaves them running; the next start ends exactly those
// still running with the same start time (never by name: a reused pid is left
// alone), and their descendants (`script` runs ipmitool in a session of its own).
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ChildRecorder } from '../drivers/obm/ipmi-sol.js';
import type { Logger } from '../log.js';

/** One recorded process: its pid and its start time in clock ticks since boot. */
export interface ChildRecord { pid: number; start: number }

/** Fields of /proc/<pid>/stat after the command: [state, ppid, pgrp, ..., starttime at index 19]. */
function statFields(pid: number): string[] | null {
  let text: string;
  try { text = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return null; }
  // The command (field 2) is in parentheses and may hold spaces or ')': split after the last one.
  return text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
}

/** The process's start time (field 22 of /proc/<pid>/stat), or null if it does not run (a zombie has ended). */
export function processStart(pid: number): number | null {
  const f = statFields(pid);
  if (!f || f[19] === undefined || f[0] === 'Z' || f[0] === 'X') return null;
  return Number(f[19]);
}

/** Every running process's parent (field 4), by pid. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && f[1] !== undefined) out.set(Number(entry), Number(f[1]));
  }
  return out;
}

/** The descendants of `pid` (children, their children, ...). */
export function descendants(pid: number): number[] {
  const tree = parents();
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [child, parent] of tree) if (frontier.includes(parent)) next.push(child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

function readRecords(file: string): ChildRecord[] {
  let parsed: unknown;
  try { parsed = JSON.parse(readFileSync(file, 'utf8')); } catch { return []; }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((r): r is ChildRecord =>
    typeof r === 'object' && r !== null && Number.isInteger((r as ChildRecord).pid) && Number.isInteger((r as ChildRecord).start));
}

function writeRecords(file: string, records: Iterable<ChildRecord>): void {
  writeFileSync(`${file}.tmp`, JSON.stringify([...records]), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * End what a previous run recorded in `file` and left running: each recorded process whose start
 * time still matches, with its descendants. Returns the pids ended.
 */
export function endLeftoverChildren(file: string, log: Logger): number[] {
  const ended: number[] = [];
  for (const r of readRecords(file)) {
    if (processStart(r.pid) !== r.start) continue; // gone, or the pid now names another process
    // Found before the first kill: once `script` dies its children are re-parented.
    for (const pid of [r.pid, ...descendants(r.pid)]) {
      try { process.kill(pid, 'SIGKILL'); ended.push(pid); } catch { /* gone meanwhile */ }
    }
  }
  if (ended.length > 0) log.warn(`ended ${ended.length} console process(es) a previous run left behind: ${ended.join(', ')}`);
  if (existsSync(file)) writeRecords(file, []);
  return ended;
}

/**
 * A ChildRecorder that keeps `file` holding exactly the live console processes of this daemon. A
 * write that fails (a full disk, the directory gone) is logged once and never thrown: it is called
 * from process events, where a throw would end the daemon; the next write catches up.
 */
export function fileChildRecorder(file: string, log: Logger): ChildRecorder {
  const live = new Map<number, ChildRecord>();
  let failing = false;
  const save = () => {
    try {
      writeRecords(file, live.values());
      failing = false;
    } catch (e) {
      if (!failing) log.warn(`cannot record console processes in ${file}: ${e instanceof Error ? e.message : String(e)}`);
      failing = true;
    }
  };
  return {
    started(pid) {
      const start = processStart(pid);
      if (start === null) return; // already gone
      live.set(pid, { pid, start });
      save();
    },
    ended(pid) {
      if (live.delete(pid)) save();
    },
  };
}
