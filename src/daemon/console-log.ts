// Console logs on disk, one directory per node under `[console] log_dir`:
//   current.log, current.log.1   the holding project's log, a time prefix on every line;
//                                current.log moves to .1 before it grows past half of
//                                log_size, so the two together stay within log_size
//   owner.json                   the project the current log belongs to
//   released/<ms>-<project>.log  a previous project's log (admins only), removed after log_retention
// A log belongs to the project that held the node while it was written: when the
// node's project is not the owner's, the current log becomes a released one first.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { ConsoleConfig } from '../config.js';
import type { ConsoleLogQuery, ConsoleLogs, ReleasedConsoleLog } from '../core/console-logs.js';

/** The project a log belongs to (id and name); both null for a free node. */
export interface LogOwner { id: number | null; name: string | null }

/** A follower that reads slower than this backlog is ended instead of growing the daemon. */
const MAX_FOLLOWER_BACKLOG = 1024 * 1024;
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z $/;
const STAMP_LEN = 25;

/** Puts the time of its first byte before every line of a console's output. */
export class LineStamper {
  private atLineStart = true;

  /** `chunk` as log text: every line that starts in it gets `<ISO time> ` before it. */
  stamp(chunk: Buffer, nowMs: number): Buffer {
    const parts: Buffer[] = [];
    let prefix: Buffer | null = null;
    let from = 0;
    while (from < chunk.length) {
      if (this.atLineStart) { prefix ??= Buffer.from(`${new Date(nowMs).toISOString()} `); parts.push(prefix); this.atLineStart = false; }
      const nl = chunk.indexOf(0x0a, from);
      const end = nl === -1 ? chunk.length : nl + 1;
      parts.push(chunk.subarray(from, end));
      if (nl !== -1) this.atLineStart = true;
      from = end;
    }
    return Buffer.concat(parts);
  }
}

/** The time (ms) of a stamped log line, or null for a line without one. */
function lineTime(text: Buffer, at: number): number | null {
  if (text.length - at < STAMP_LEN) return null;
  const head = text.toString('latin1', at, at + STAMP_LEN);
  return STAMP.test(head) ? Date.parse(head.slice(0, STAMP_LEN - 1)) : null;
}

/** The part of a stamped log from its first line written at or after `sinceMs` (all of it when null). */
export function linesSince(text: Buffer, sinceMs: number | null): Buffer {
  if (sinceMs === null) return text;
  let at = 0;
  while (at < text.length) {
    const t = lineTime(text, at);
    if (t !== null && t >= sinceMs) return text.subarray(at);
    const nl = text.indexOf(0x0a, at);
    if (nl === -1) break;
    at = nl + 1;
  }
  return Buffer.alloc(0);
}

function readOr(path: string): Buffer {
  try { return readFileSync(path); } catch { return Buffer.alloc(0); }
}

function sameOwner(a: LogOwner, b: LogOwner): boolean {
  return a.id === b.id && a.name === b.name;
}

/** What the book holds open for one node. */
interface OpenLog {
  fd: number;
  size: number;
  stamper: LineStamper;
  followers: Set<PassThrough>;
}

/**
 * The daemon's console logs. `ownerOf` says which project holds a node now (undefined: no such
 * node); it is asked when a node's log is first written in this run, so a change of project
 * while the daemon was down still starts a fresh log.
 */
export class ConsoleLogBook implements ConsoleLogs {
  private readonly open = new Map<string, OpenLog>();

  constructor(private readonly cfg: ConsoleConfig, private readonly ownerOf: (node: string) => LogOwner | undefined,
    private readonly now: () => number = Date.now) {}

  private dir(node: string): string { return join(this.cfg.logDir, encodeURIComponent(node)); }
  private currentPath(node: string): string { return join(this.dir(node), 'current.log'); }

  private storedOwner(node: string): LogOwner | null {
    try {
      const o = JSON.parse(readFileSync(join(this.dir(node), 'owner.json'), 'utf8')) as Partial<LogOwner>;
      return { id: typeof o.id === 'number' ? o.id : null, name: typeof o.name === 'string' ? o.name : null };
    } catch { return null; }
  }

  private writeOwner(node: string, owner: LogOwner): void {
    // The log directory is made with the first log, not at start: a daemon without consoles writes nothing.
    mkdirSync(this.cfg.logDir, { recursive: true, mode: 0o700 });
    mkdirSync(this.dir(node), { recursive: true, mode: 0o700 });
    const path = join(this.dir(node), 'owner.json');
    writeFileSync(`${path}.tmp`, JSON.stringify(owner), { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }

  /** Append console output of the node (stamped per line), rotating within `[console] log_size`. */
  append(node: string, chunk: Buffer): void {
    const log = this.open.get(node) ?? this.openLog(node);
    if (!log) return;
    const half = Math.floor(this.cfg.logSizeBytes / 2);
    let bytes = log.stamper.stamp(chunk, this.now());
    // One huge chunk keeps only its tail.
    if (bytes.length > half) bytes = bytes.subarray(bytes.length - half);
    // Each file holds at most half of log_size. A line may be split across the two: they are read together.
    if (log.size > 0 && log.size + bytes.length > half) this.rotate(node, log);
    writeSync(log.fd, bytes);
    log.size += bytes.length;
    for (const f of log.followers) {
      if (f.writableLength > MAX_FOLLOWER_BACKLOG) { f.end('\n[console log: this reader fell too far behind]\n'); continue; }
      f.write(bytes);
    }
  }

  private openLog(node: string): OpenLog | null {
    const owner = this.ownerOf(node);
    if (!owner) return null;
    this.setOwner(node, owner);
    mkdirSync(this.dir(node), { recursive: true, mode: 0o700 });
    const fd = openSync(this.currentPath(node), 'a', 0o600);
    const log: OpenLog = { fd, size: fstatSync(fd).size, stamper: new LineStamper(), followers: new Set() };
    // A previous run may have stopped mid-line: end that line, so the next one gets its time.
    if (log.size > 0) {
      const last = Buffer.alloc(1);
      const rfd = openSync(this.currentPath(node), 'r');
      try { readSync(rfd, last, 0, 1, log.size - 1); } finally { closeSync(rfd); }
      if (last[0] !== 0x0a) { writeSync(fd, '\n'); log.size += 1; }
    }
    this.open.set(node, log);
    return log;
  }

  private rotate(node: string, log: OpenLog): void {
    closeSync(log.fd);
    const current = this.currentPath(node);
    renameSync(current, `${current}.1`);
    log.fd = openSync(current, 'a', 0o600);
    log.size = 0;
  }

  /**
   * The node now belongs to `owner`: if its log belongs to another project, that log becomes a
   * released one (admins only), its followers end, and the next output starts a fresh log.
   */
  setOwner(node: string, owner: LogOwner): void {
    const stored = this.storedOwner(node);
    if (stored && sameOwner(stored, owner)) return;
    if (stored) this.release(node, stored);
    this.writeOwner(node, owner);
  }

  /** The node is gone (deleted): its log is released and nothing more is written for it. */
  retire(node: string): void {
    const stored = this.storedOwner(node);
    if (stored) this.release(node, stored);
    rmSync(join(this.dir(node), 'owner.json'), { force: true });
  }

  private release(node: string, owner: LogOwner): void {
    const log = this.open.get(node);
    if (log) {
      closeSync(log.fd);
      this.open.delete(node);
      for (const f of log.followers) f.end('\n[console log: the node left the project; this log is closed]\n');
    }
    const current = this.currentPath(node);
    const text = Buffer.concat([readOr(`${current}.1`), readOr(current)]);
    if (text.length > 0) {
      const released = join(this.dir(node), 'released');
      mkdirSync(released, { recursive: true, mode: 0o700 });
      writeFileSync(join(released, `${this.now()}-${encodeURIComponent(owner.name ?? '')}.log`), text, { mode: 0o600 });
    }
    rmSync(`${current}.1`, { force: true });
    rmSync(current, { force: true });
  }

  /** The nodes that have a log directory. */
  nodes(): string[] {
    if (!existsSync(this.cfg.logDir)) return [];
    return readdirSync(this.cfg.logDir).map((d) => decodeURIComponent(d));
  }

  /** Remove released logs older than `[console] log_retention`, and directories left empty. */
  prune(): void {
    if (this.cfg.logRetentionMs === 0) return;
    const oldest = this.now() - this.cfg.logRetentionMs;
    for (const node of this.nodes()) {
      for (const r of this.releasedOf(node)) {
        if (Date.parse(r.released) < oldest) rmSync(join(this.dir(node), 'released', r.name), { force: true });
      }
      if (this.releasedOf(node).length === 0 && !this.storedOwner(node) && !this.open.has(node)) rmSync(this.dir(node), { recursive: true, force: true });
    }
  }

  private releasedOf(node: string): ReleasedConsoleLog[] {
    let names: string[];
    try { names = readdirSync(join(this.dir(node), 'released')); } catch { return []; }
    const out: Array<ReleasedConsoleLog & { ms: number }> = [];
    for (const name of names) {
      const m = /^(\d+)-(.*)\.log$/.exec(name);
      if (!m) continue;
      const ms = Number(m[1]);
      let bytes = 0;
      try { bytes = statSync(join(this.dir(node), 'released', name)).size; } catch { continue; }
      out.push({ name, project: m[2] === '' ? null : decodeURIComponent(m[2]!), released: new Date(ms).toISOString(), bytes, ms });
    }
    return out.sort((a, b) => a.ms - b.ms).map(({ ms: _, ...r }) => r);
  }

  current(node: string, q: ConsoleLogQuery): Readable {
    const current = this.currentPath(node);
    const text = linesSince(Buffer.concat([readOr(`${current}.1`), readOr(current)]), q.sinceMs);
    if (!q.follow) return Readable.from([text]);
    const stream = new PassThrough();
    stream.write(text);
    const log = this.open.get(node) ?? (existsSync(this.dir(node)) || this.ownerOf(node) ? this.openLog(node) : null);
    if (!log) { stream.end(); return stream; }
    log.followers.add(stream);
    stream.once('close', () => log.followers.delete(stream));
    return stream;
  }

  released(node: string): ReleasedConsoleLog[] {
    return this.releasedOf(node);
  }

  readReleased(node: string, name: string, sinceMs: number | null): Readable | null {
    if (!this.releasedOf(node).some((r) => r.name === name)) return null;
    return Readable.from([linesSince(readOr(join(this.dir(node), 'released', name)), sinceMs)]);
  }

  /** Close every file and end every follower (daemon shutdown). */
  closeAll(): void {
    for (const [node, log] of this.open) {
      closeSync(log.fd);
      for (const f of log.followers) f.end();
      this.open.delete(node);
    }
  }
}
