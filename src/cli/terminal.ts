// Console sessions in the user's terminal: bytes from the daemon to stdout,
// and (interactive sessions) the keyboard to the daemon, until the user
// leaves with Ctrl-] or the console ends.
import type { BaseContext } from 'clipanion';
import type { Readable, Writable } from 'node:stream';

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
