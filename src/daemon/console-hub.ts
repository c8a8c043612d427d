// The console service: one session per console (a node's SOL or mock
// console, a headnode's serial port), shared by any number of read-only
// viewers and at most one writer. A session runs while someone watches or it
// is kept (the console log keeps it); its recent output (bounded) is kept while
// it runs, so that a new viewer first sees the last lines. Keystrokes reach
// the console only from the writer; a second writer is refused (read-only,
// with a notice) unless it forces, and then the previous writer is told and
// drops to read-only. When the writer leaves, the session that asked to write
// and waited longest becomes the writer (told so). Every output byte also goes to the output sinks.
import { Duplex, type Readable } from 'node:stream';
import type { ConsoleAttachment, ConsoleHub, ConsoleMode, ConsoleOpener, ConsoleSink } from '../core/consoles.js';

/** How much recent output is kept per console. */
export const RECENT_BYTES = 64 * 1024;
/** A viewer that reads slower than this backlog loses bytes instead of growing the daemon. */
const MAX_VIEWER_BACKLOG = 1024 * 1024;

/** A session; `wantsWrite`: it asked to write (it becomes the writer when the writer leaves). */
interface Viewer { stream: Duplex; who: string; wantsWrite: boolean }

interface Console {
  source: Readable | null;
  starting: Promise<Readable> | null;
  viewers: Set<Viewer>;
  writer: Viewer | null;
  kept: boolean;
  /** Those waiting on keep(): told when the session is over (with its error, if it failed). */
  keepers: { resolve(): void; reject(e: Error): void }[];
  failure: Error | null;
  recent: Buffer[];
  recentBytes: number;
}

function remember(c: Console, chunk: Buffer): void {
  c.recent.push(chunk);
  c.recentBytes += chunk.length;
  while (c.recentBytes > RECENT_BYTES && c.recent.length > 0) {
    const first = c.recent[0]!;
    const excess = c.recentBytes - RECENT_BYTES;
    if (first.length <= excess) {
      c.recent.shift();
      c.recentBytes -= first.length;
    } else {
      c.recent[0] = first.subarray(excess);
      c.recentBytes -= excess;
    }
  }
}

function send(v: Viewer, bytes: Buffer | string): void {
  if (v.stream.readableLength < MAX_VIEWER_BACKLOG) v.stream.push(bytes);
}

function notice(v: Viewer, text: string): void {
  send(v, `\r\n[console: ${text}]\r\n`);
}

/** Make the daemon's console hub. */
export function createConsoleHub(): ConsoleHub & { endAll(): void } {
  const consoles = new Map<string, Console>();
  const sinks: ConsoleSink[] = [];

  function stateOf(key: string): Console {
    let c = consoles.get(key);
    if (!c) {
      c = { source: null, starting: null, viewers: new Set(), writer: null, kept: false, keepers: [], failure: null, recent: [], recentBytes: 0 };
      consoles.set(key, c);
    }
    return c;
  }

  /** Close the session and its viewers (their streams end after what they were sent) and forget the console. */
  function stop(key: string, c: Console): void {
    if (consoles.get(key) === c) consoles.delete(key);
    const viewers = [...c.viewers];
    c.viewers.clear();
    c.writer = null;
    for (const v of viewers) v.stream.push(null);
    c.source?.destroy();
    c.source = null;
    for (const k of c.keepers.splice(0)) { if (c.failure) k.reject(c.failure); else k.resolve(); }
  }

  /** Open the session and resolve once its first bytes arrived (or reject with its error). */
  function start(key: string, c: Console, open: ConsoleOpener): Promise<Readable> {
    return new Promise<Readable>((resolve, reject) => {
      let ready = false;
      const source = open();
      source.on('data', (chunk: Buffer | string) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        remember(c, bytes);
        for (const v of c.viewers) send(v, bytes);
        for (const sink of sinks) sink(key, bytes);
        if (!ready) { ready = true; c.source = source; resolve(source); }
      });
      source.on('error', (e) => {
        if (!ready) { ready = true; reject(e); return; }
        c.failure = e;
        for (const v of c.viewers) notice(v, `session ended: ${e.message}`);
      });
      const closed = () => {
        if (!ready) { ready = true; reject(new Error('the console session closed before any output')); }
        if (c.source === source) stop(key, c);
      };
      source.once('end', closed);
      source.once('close', closed);
    });
  }

  async function running(key: string, open: ConsoleOpener): Promise<Console> {
    const c = stateOf(key);
    if (!c.source) {
      c.starting ??= start(key, c, open).finally(() => { c.starting = null; });
      const source = await c.starting;
      if (consoles.get(key) !== c || c.source !== source) {
        // Ended (node detached, OBM disabled) while the session was opening.
        source.destroy();
        throw new Error('the console session was closed');
      }
    }
    return c;
  }

  function leave(key: string, c: Console, v: Viewer): void {
    if (!c.viewers.delete(v)) return;
    if (c.writer === v) {
      // The session that asked to write and has waited longest takes over: a writer that reconnects is
      // not refused by its own previous connection, which the daemon may see close only after.
      c.writer = [...c.viewers].find((w) => w.wantsWrite) ?? null;
      if (c.writer) notice(c.writer, `${v.who} left; this session is now the writer`);
    }
    // Nobody watches and nobody keeps it: close the session (a SOL payload is freed for others).
    if (c.viewers.size === 0 && !c.kept && consoles.get(key) === c) stop(key, c);
  }

  function attachViewer(key: string, c: Console, who: string, mode: ConsoleMode): ConsoleAttachment {
    const v: Viewer = {
      who,
      wantsWrite: mode !== 'read-only',
      stream: new Duplex({
        allowHalfOpen: false,
        read() { /* pushed as the console writes */ },
        write(chunk: Buffer, _enc, cb) {
          if (c.writer === v && c.source instanceof Duplex) c.source.write(chunk);
          cb();
        },
        // The client closed its side (its connection ended): it leaves, and its output side ends too.
        final(cb) { leave(key, c, v); v.stream.push(null); cb(); },
        destroy(err, cb) { leave(key, c, v); cb(err); },
      }),
    };
    v.stream.once('end', () => leave(key, c, v));
    for (const chunk of c.recent) v.stream.push(chunk);
    c.viewers.add(v);
    if (mode === 'read-only') return { stream: v.stream, role: 'viewer', displaced: null };
    const holder = c.writer;
    if (holder && mode === 'write') {
      notice(v, `${holder.who} is writing; this session is read-only (force takes over)`);
      return { stream: v.stream, role: 'viewer', displaced: null };
    }
    c.writer = v;
    if (holder) notice(holder, `${who} took over; this session is now read-only`);
    return { stream: v.stream, role: 'writer', displaced: holder ? holder.who : null };
  }

  return {
    async attach(key, open, who, mode) {
      const c = await running(key, open);
      return attachViewer(key, c, who, mode);
    },
    async keep(key, open) {
      const c = await running(key, open);
      c.kept = true;
      return new Promise<void>((resolve, reject) => { c.keepers.push({ resolve, reject }); });
    },
    onOutput(sink) { sinks.push(sink); },
    end(key) {
      const c = consoles.get(key);
      if (c) stop(key, c);
    },
    endAll() {
      for (const [key, c] of [...consoles]) stop(key, c);
    },
  };
}
