// Console sessions in the user's terminal: bytes from the daemon to stdout,
// and (interactive sessions) the keyboard to the daemon, until the user
// leaves with Ctrl-] or the console ends.
import { UsageError, type BaseContext } from 'clipanion';
import type { Duplex, Readable, Writable } from 'node:stream';
import { ApiCallError } from '../client/errors.js';
import type { ConsoleMode } from '../client/types.js';

const CTRL_RIGHT_BRACKET = 0x1d;
const CTRL_C = 0x03;

/**
 * Show `output` until it ends or the user leaves. With `input`, keystrokes
 * (Ctrl-C included) go there and only Ctrl-] leaves; without, Ctrl-C leaves too.
 */
export function runTerminal(ctx: BaseContext, what: string, output: Readable, input: Writable | null): Promise<void> {
  const stdin = ctx.stdin as NodeJS.ReadStream;
  const tty = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (tty) ctx.stderr.write(`[${what}: Ctrl-] to leave]\r\n`);
  return new Promise<void>((resolve) => {
    let done = false;
    const stop = () => {
      if (done) return;
      done = true;
      process.off('SIGINT', stop);
      stdin.off('data', keys);
      if (tty) stdin.setRawMode(false);
      stdin.pause();
      output.destroy();
      input?.destroy();
      resolve();
    };
    const keys = (chunk: Buffer) => {
      const leave = chunk.indexOf(CTRL_RIGHT_BRACKET);
      if (input) {
        const keep = leave < 0 ? chunk : chunk.subarray(0, leave);
        if (keep.length > 0) input.write(keep);
      } else if (chunk.includes(CTRL_C)) {
        stop();
      }
      if (leave >= 0) stop();
    };
    process.once('SIGINT', stop);
    if (tty) stdin.setRawMode(true);
    if (tty || input) { stdin.on('data', keys); stdin.resume(); }
    output.on('data', (chunk: Buffer) => ctx.stdout.write(chunk));
    output.on('end', stop);
    output.on('close', stop);
    output.on('error', stop);
  });
}

/** How a console command was asked to attach. */
export interface ConsoleFlags { readOnly: boolean; force: boolean }

/**
 * Run a console command: interactive (keys go to the console, Ctrl-] leaves) on a terminal or with
 * --force, else read-only (`> file` works). `session` asks for an interactive session; `view` streams
 * read-only, and also serves a console that has no interactive session here (obmd's, a 307).
 */
export async function runConsole(ctx: BaseContext, what: string, flags: ConsoleFlags,
  view: () => Promise<Readable>, session: (mode: ConsoleMode) => Promise<Duplex>): Promise<void> {
  if (flags.readOnly && flags.force) throw new UsageError('--read-only and --force exclude each other');
  const interactive = flags.force || (!flags.readOnly && (ctx.stdin as NodeJS.ReadStream).isTTY === true);
  if (!interactive) {
    await runTerminal(ctx, what, await view(), null);
    return;
  }
  let s: Duplex;
  try {
    s = await session(flags.force ? 'force' : 'write');
  } catch (e) {
    if (!(e instanceof ApiCallError && e.status === 307)) throw e;
    await runTerminal(ctx, `${what} (read-only: obmd serves it)`, await view(), null);
    return;
  }
  await runTerminal(ctx, what, s, s);
}
