// Consoles as core uses them: one service (the daemon's hub,
// src/daemon/console-hub.ts) shares each console session (a node's SOL or
// mock console, a headnode's serial port) among any number of read-only
// viewers and at most one writer. Core authorizes, picks the key, and records
// every viewer and writer in the audit trail.
import { Duplex, type Readable, type Writable } from 'node:stream';
import { BadArgumentError } from '../errors.js';
import { recordAudit } from './audit.js';
import type { Core, Principal } from './context.js';

/** How a session asks to use a console: only watch, write unless someone writes, or take the writer over. */
export type ConsoleMode = 'read-only' | 'write' | 'force';
/** Every console mode, as the `mode` query parameter spells it. */
export const CONSOLE_MODES: readonly ConsoleMode[] = ['read-only', 'write', 'force'];

/** Opens a console session: its output; a Duplex also takes the keystrokes of the writer. */
export type ConsoleOpener = () => Readable;

/** One viewer's or the writer's session, as the hub hands it out. */
export interface ConsoleAttachment {
  /** Recent output, then live bytes and notice lines; what is written to it reaches the console only while this session is the writer. */
  stream: Duplex;
  /** What the session got: the writer, or a read-only viewer (asked for, or refused because another writes). */
  role: 'writer' | 'viewer';
  /** The writer this session took over from (mode force), or null. */
  displaced: string | null;
}

/** Receives every byte of every console session (the console log). */
export type ConsoleSink = (key: string, chunk: Buffer) => void;

/**
 * The console service. Sessions are keyed by `nodeConsoleKey` / `headnodeConsoleKey`;
 * a session runs while someone watches or it is kept, and its recent output is kept while it runs.
 */
export interface ConsoleHub {
  /**
   * A new session on the console `key` for `who`: the recent output first, then live bytes. Opens the
   * console with `open` unless it runs; rejects if it fails before its first bytes. With mode write it
   * is the writer unless another session is (then read-only, told so on its stream); with force it
   * takes the writer over and the previous writer is told and drops to read-only.
   */
  attach(key: string, open: ConsoleOpener, who: string, mode: ConsoleMode): Promise<ConsoleAttachment>;
  /**
   * Open the console `key` unless it runs, and keep it running with nobody watching (until `end`); viewers
   * share it. Settles when that session is over: resolves when it ended or was ended, rejects with its
   * error if it failed (the console log's keeper then opens it again).
   */
  keep(key: string, open: ConsoleOpener): Promise<void>;
  /** Add a sink that gets every chunk of output of every console session. */
  onOutput(sink: ConsoleSink): void;
  /** Close every viewer, the writer and the session of `key`, and forget its recent output. */
  end(key: string): void;
}

/** The hub key of a node's console. */
export function nodeConsoleKey(label: string): string { return `node:${label}`; }
/** The node whose console `key` is (see nodeConsoleKey), or null for another console (a headnode's). */
export function nodeOfConsoleKey(key: string): string | null { return key.startsWith('node:') ? key.slice('node:'.length) : null; }
/** The hub key of a headnode's console. */
export function headnodeConsoleKey(label: string): string { return `headnode:${label}`; }

/** The mode of an upgrade's `mode` query parameter (absent: write); anything else is a 400. */
export function parseConsoleMode(raw: string | null): ConsoleMode {
  if (raw === null) return 'write';
  const mode = CONSOLE_MODES.find((m) => m === raw);
  if (!mode) throw new BadArgumentError(`"${raw.slice(0, 40)}" is not a console mode (expected ${CONSOLE_MODES.join(', ')})`);
  return mode;
}

/** Where an attachment came from, for the audit trail. */
export interface ConsoleCaller { p: Principal; source: string }

/**
 * Attach through the hub and record the session in the audit trail: who, from where,
 * which console, the role it got, and whom a forced takeover displaced.
 */
export async function attachConsole(core: Core, caller: ConsoleCaller, target: { key: string; node?: string; projects: readonly string[] },
  open: ConsoleOpener, mode: ConsoleMode): Promise<ConsoleAttachment> {
  const who = caller.p.user ?? 'null-auth';
  const a = await core.consoles.attach(target.key, open, who, mode);
  recordAudit(core.inv, {
    operation: 'console_attach', outcome: 'ok', actor: caller.p.user, source: caller.source,
    node: target.node ?? null, projects: target.projects,
    detail: { console: target.key, mode, role: a.role, ...(a.displaced === null ? {} : { displaced: a.displaced }) },
  });
  return a;
}

/**
 * A console session made of an output stream and an input connected on the first keystroke
 * (a headnode's serial socket): bytes typed before it connects wait for it.
 */
export function sessionOf(output: Readable, connectInput: () => Promise<Writable>): Duplex {
  let input: Promise<Writable> | null = null;
  const session: Duplex = new Duplex({
    allowHalfOpen: false,
    read() { output.resume(); },
    write(chunk: Buffer, _enc, cb) {
      input ??= connectInput();
      input.then((w) => { w.write(chunk); cb(); }, (e: Error) => cb(e));
    },
    destroy(err, cb) {
      output.destroy();
      void input?.then((w) => w.destroy(), () => {});
      cb(err);
    },
  });
  output.on('data', (chunk: Buffer) => { if (!session.push(chunk)) output.pause(); });
  output.once('end', () => session.push(null));
  output.once('error', (e) => session.destroy(e));
  output.once('close', () => { if (!output.readableEnded) session.destroy(); });
  return session;
}
