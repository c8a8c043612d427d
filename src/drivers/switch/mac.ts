// MAC addresses as switches print them: `aa:bb:cc:dd:ee:ff` (Linux, OVS,
// Dell), `aabb.ccdd.eeff` (Cisco), `AA-BB-CC-DD-EE-FF` (Windows, some BMCs).
// A leaf: the drivers and core compare addresses through it.

/** The address as 12 lower-case hex digits (`aabbccddeeff`), or null if it is not a MAC address. */
export function normalizeMac(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (!/^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/.test(t) && !/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(t)) return null;
  return t.replace(/[:.-]/g, '');
}

/** A normalized address (12 hex digits) written the usual way: `aa:bb:cc:dd:ee:ff`. */
export function formatMac(hex12: string): string {
  return hex12.match(/../g)!.join(':');
}
