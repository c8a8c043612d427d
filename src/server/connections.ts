// Connections per source: one address (or the unix socket) may hold at most `connectionsPerSource`
// open connections, idle or not; beyond that a new one is closed at once, before it costs more
// than its file descriptor for a moment. So a flood of idle or slow connections from one address
// cannot take every descriptor and lock other clients out. Console and event streams are long-lived
// on purpose: they move to a budget of their own (`streamsPerSource`) once they start streaming.
// The unix socket is one source for every local caller (and only the socket's group can reach it),
// so it gets four times both limits rather than none: a local runaway still cannot take every descriptor.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { LimitsConfig } from '../config.js';
import type { Logger } from '../log.js';

const UNIX_FACTOR = 4;
const LOG_EVERY_MS = 60_000;

/** Where a connection comes from, as login throttling and connection limits see it. */
export function sourceOf(socket: { remoteAddress?: string | undefined }): string {
  const a = socket.remoteAddress;
  if (!a) return 'the unix socket';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Each connection's source, made once: reading a socket's remoteAddress costs ~0.5 µs each time. */
const sources = new WeakMap<object, string>();

/** sourceOf a request's socket, made once per connection (no socket: the app called without a server, as in tests). */
export function sourceOfSocket(socket: { remoteAddress?: string | undefined } | undefined): string {
  if (socket === undefined) return sourceOf({});
  let source = sources.get(socket);
  if (source === undefined) sources.set(socket, source = sourceOf(socket));
  return source;
}

interface Source { connections: number; streams: number; refused: number; loggedAt: number }
interface Tracked { limits: ConnectionLimits; source: string; stream: boolean }

/** Connections admitted by some ConnectionLimits, by their TCP (or unix) socket. */
const tracked = new WeakMap<object, Tracked>();

/** The socket a connection was admitted as: a TLS socket wraps the TCP socket of the 'connection' event. */
function underlying(socket: object): object {
  return (socket as { _parent?: object | null })._parent ?? socket;
}

/** Per-source limits on open connections and streams, for a daemon's servers. */
export class ConnectionLimits {
  private readonly sources = new Map<string, Source>();
  constructor(private readonly limits: Pick<LimitsConfig, 'connectionsPerSource' | 'streamsPerSource'>, private readonly log: Logger) {}

  /** Count every new connection of `server`, closing at once those over their source's limit. */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  private limitOf(source: string, perSource: number): number {
    return source === 'the unix socket' ? perSource * UNIX_FACTOR : perSource;
  }

  private admit(socket: Socket): void {
    if (tracked.has(socket)) return; // handed back to the server (a declined upgrade): counted already
    const source = sourceOf(socket);
    let s = this.sources.get(source);
    if (!s) { s = { connections: 0, streams: 0, refused: 0, loggedAt: 0 }; this.sources.set(source, s); }
    const limit = this.limitOf(source, this.limits.connectionsPerSource);
    if (s.connections >= limit) {
      s.refused++;
      if (Date.now() - s.loggedAt >= LOG_EVERY_MS) {
        this.log.warn(`${source} holds ${limit} open connections, its limit (connections_per_source): closing new ones at once (${s.refused} so far)`);
        s.loggedAt = Date.now();
      }
      socket.destroy();
      return;
    }
    s.connections++;
    const t: Tracked = { limits: this, source, stream: false };
    tracked.set(socket, t);
    socket.once('close', () => this.release(t));
  }

  private release(t: Tracked): void {
    const s = this.sources.get(t.source);
    if (!s) return;
    if (t.stream) s.streams--; else s.connections--;
    if (s.connections <= 0 && s.streams <= 0) this.sources.delete(t.source);
  }

  /** Move a connection to its source's stream budget; false (nothing moved) when that budget is spent. */
  moveToStreams(t: Tracked): boolean {
    const s = this.sources.get(t.source);
    if (t.stream || !s) return true;
    if (s.streams >= this.limitOf(t.source, this.limits.streamsPerSource)) return false;
    t.stream = true;
    s.connections--;
    s.streams++;
    return true;
  }
}

/**
 * A connection starts a console or event stream: count it among its source's streams, not its
 * connections. False when the source already holds as many streams as it may (answer 429 then).
 */
export function startStream(socket: object): boolean {
  const t = tracked.get(underlying(socket));
  return t ? t.limits.moveToStreams(t) : true;
}

