// The serial console: QEMU appends the guest's ttyS0 to serial.log (even
// while nobody watches); viewers follow that file, and the manager keeps it
// bounded by moving its tail to serial.log.1 when it grows too large.
import { closeSync, openSync, readSync, renameSync, statSync, writeFileSync, existsSync, ftruncateSync } from 'node:fs';
import { Readable } from 'node:stream';

/** serial.log is cut back once it is larger than this. */
export const SERIAL_LOG_MAX = 1024 * 1024;
/** What a new viewer sees first: the last bytes of the log. */
export const RECENT_BYTES = 64 * 1024;
const POLL_MS = 100;

function sizeOf(path: string): number {
  try { return statSync(path).size; } catch { return 0; }
}

function readRange(path: string, from: number, to: number): Buffer {
  if (to <= from) return Buffer.alloc(0);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    return buf.subarray(0, n);
  } finally { closeSync(fd); }
}

/** The last `bytes` of the console (from serial.log.1 too when serial.log is short). */
export function recentOutput(log: string, bytes = RECENT_BYTES): Buffer {
  const size = sizeOf(log);
  const current = size > 0 ? readRange(log, Math.max(0, size - bytes), size) : Buffer.alloc(0);
  const older = `${log}.1`;
  if (current.length >= bytes || !existsSync(older)) return current;
  const osize = sizeOf(older);
  return Buffer.concat([readRange(older, Math.max(0, osize - (bytes - current.length)), osize), current]);
}

/**
 * A stream of the console: the recent output (its last `recentBytes`), then new
 * bytes as QEMU writes them, until the viewer goes away or `running()` turns false.
 */
export function followConsole(log: string, running: () => boolean, recentBytes = RECENT_BYTES): Readable {
  let offset = sizeOf(log);
  let timer: NodeJS.Timeout | null = null;
  const stream = new Readable({
    read() { /* pushed by the poller */ },
    destroy(err, cb) { if (timer) clearInterval(timer); timer = null; cb(err); },
  });
  stream.push(recentOutput(log, recentBytes));
  timer = setInterval(() => {
    const size = sizeOf(log);
    if (size < offset) offset = 0; // cut back by boundLog
    if (size > offset) {
      const chunk = readRange(log, offset, size);
      offset += chunk.length;
      stream.push(chunk);
    }
    if (!running()) { if (timer) clearInterval(timer); timer = null; stream.push(null); }
  }, POLL_MS);
  return stream;
}

/**
 * Keep serial.log under SERIAL_LOG_MAX: its last RECENT_BYTES go to
 * serial.log.1 and it is emptied (QEMU appends, so it continues at 0).
 */
export function boundLog(log: string, max = SERIAL_LOG_MAX): void {
  const size = sizeOf(log);
  if (size <= max) return;
  writeFileSync(`${log}.tmp`, readRange(log, Math.max(0, size - RECENT_BYTES), size), { mode: 0o600 });
  renameSync(`${log}.tmp`, `${log}.1`);
  const fd = openSync(log, 'r+');
  try { ftruncateSync(fd, 0); } finally { closeSync(fd); }
}
