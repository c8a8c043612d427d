// Q-BRIDGE-MIB PortList bitmaps: one bit per bridge port, the first port is
// the most significant bit of the first byte. Agents may send lists of any
// length (a short list means the missing ports are not members).

/** Whether bridge port `port` (1-based) is in the list. */
export function hasPort(list: Buffer, port: number): boolean {
  const byte = list[(port - 1) >> 3];
  return byte !== undefined && (byte & (0x80 >> ((port - 1) & 7))) !== 0;
}

/** A copy of the list with the port's bit set or cleared, at least long enough for the port (never shorter than the original). */
export function withPort(list: Buffer, port: number, member: boolean): Buffer {
  const out = Buffer.alloc(Math.max(list.length, ((port - 1) >> 3) + 1));
  list.copy(out);
  const i = (port - 1) >> 3;
  const bit = 0x80 >> ((port - 1) & 7);
  out[i] = member ? out[i]! | bit : out[i]! & ~bit;
  return out;
}

/** The bridge ports in the list, ascending. */
export function portsOf(list: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < list.length * 8; i++) if (hasPort(list, i + 1)) out.push(i + 1);
  return out;
}

/** Whether two lists name the same ports (trailing zero bytes do not matter). */
export function samePorts(a: Buffer, b: Buffer): boolean {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return false;
  return true;
}
