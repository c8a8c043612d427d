// One console viewer per node. A node's console session (its driver stream)
// runs while someone watches; its recent output (bounded) is kept so that a
// new viewer first sees the last lines. A new viewer ends the old one; a
// detach from the project or a disabled OBM ends both and forgets the output.
import { PassThrough, type Readable } from 'node:stream';
import type { ConsoleHub } from '../core/consoles.js';

/** How much recent output is kept per node. */
export const RECENT_BYTES = 64 * 1024;
/** A viewer that reads slower than this backlog loses bytes instead of growing the daemon. */
const MAX_VIEWER_BACKLOG = 1024 * 1024;

interface NodeConsole {
  source: Readable | null;
  starting: Promise<Readable> | null;
  viewer: PassThrough | null;
  recent: Buffer[];
  recentBytes: number;
  /** Set while the session is kept open with no viewer (console logging): settles keep()'s promise. */
  kept: { done(err: Error | null): void } | null;
}

function remember(c: NodeConsole, chunk: Buffer): void {
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

/** Make the daemon's console hub. */
export function createConsoleHub(): ConsoleHub & { endAll(): void } {
  const consoles = new Map<string, NodeConsole>();
  const sinks: Array<(node: string, chunk: Buffer) => void> = [];

  function stateOf(node: string): NodeConsole {
    let c = consoles.get(node);
    if (!c) { c = { source: null, starting: null, viewer: null, recent: [], recentBytes: 0, kept: null }; consoles.set(node, c); }
    return c;
  }

  /** Open the session and resolve once its first bytes arrived (or reject with its error). */
  function start(node: string, c: NodeConsole, open: () => Readable): Promise<Readable> {
    return new Promise<Readable>((resolve, reject) => {
      let ready = false;
      const source = open();
      source.on('data', (chunk: Buffer | string) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        remember(c, bytes);
        for (const sink of sinks) sink(node, bytes);
        if (c.viewer && c.viewer.writableLength < MAX_VIEWER_BACKLOG) c.viewer.write(bytes);
        if (!ready) { ready = true; c.source = source; resolve(source); }
      });
      source.on('error', (e) => {
        if (!ready) { ready = true; reject(e); return; }
        c.viewer?.write(`\r\n[console session ended: ${e.message}]\r\n`);
        settleKept(c, e);
      });
      source.on('close', () => {
        if (!ready) { ready = true; reject(new Error('the console session closed before any output')); }
        if (c.source === source) c.source = null;
        c.viewer?.end();
        c.viewer = null;
        settleKept(c, null);
      });
    });
  }

  function settleKept(c: NodeConsole, err: Error | null): void {
    const kept = c.kept;
    c.kept = null;
    kept?.done(err);
  }

  /** The node's running session, opened with `open` unless one runs or is opening. */
  async function sourceOf(node: string, c: NodeConsole, open: () => Readable): Promise<Readable> {
    if (c.source) return c.source;
    c.starting ??= start(node, c, open).finally(() => { c.starting = null; });
    return c.starting;
  }

  function stop(node: string, c: NodeConsole): void {
    const viewer = c.viewer;
    c.viewer = null;
    viewer?.end();
    c.source?.destroy();
    c.source = null;
    settleKept(c, null);
    if (consoles.get(node) === c) consoles.delete(node);
  }

  return {
    async view(node, open) {
      const c = stateOf(node);
      const source = await sourceOf(node, c, open);
      if (consoles.get(node) !== c || c.source !== source) {
        // Ended (node detached, OBM disabled) while the session was opening.
        source.destroy();
        throw new Error('the console session was closed');
      }
      const viewer = new PassThrough();
      const previous = c.viewer;
      c.viewer = viewer;
      previous?.end();
      for (const chunk of c.recent) viewer.write(chunk);
      viewer.once('close', () => {
        // The viewer went away (not replaced): nobody watches, close the session.
        if (c.viewer === viewer) {
          c.viewer = null;
          if (!c.kept) { c.source?.destroy(); c.source = null; }
        }
      });
      return viewer;
    },
    async keep(node, open) {
      const c = stateOf(node);
      const source = await sourceOf(node, c, open);
      if (consoles.get(node) !== c || c.source !== source) {
        // Ended (node detached, OBM disabled) while the session was opening.
        source.destroy();
        return;
      }
      if (c.kept) throw new Error(`the console of ${node} is already kept`);
      return new Promise<void>((resolve, reject) => { c.kept = { done: (err) => (err ? reject(err) : resolve()) }; });
    },
    onOutput(sink) {
      sinks.push(sink);
    },
    end(node) {
      const c = consoles.get(node);
      if (c) stop(node, c);
    },
    endAll() {
      for (const [node, c] of [...consoles]) stop(node, c);
    },
  };
}
