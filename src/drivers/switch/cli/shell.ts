// The interactive shell of a switch CLI: write a line, read until one of a
// few patterns (a prompt, a question) ends the output. Terminal noise (ANSI
// escapes, carriage returns) is removed and `--More--` pages are turned.
// Every read has a timeout; a closed channel fails the read at once.
import type { ClientChannel } from 'ssh2';

/** The shell is unusable: closed, or silent past a timeout. The batch cannot go on. */
export class ShellError extends Error {
  override name = 'ShellError';
}

/** What ended a read: the text before the match, which pattern matched, and the match. */
export interface Matched { before: string; index: number; match: RegExpExecArray }

const MORE = /[ \t]*-+ ?[Mm]ore ?-+[^\n]*$/;

function clean(text: string): string {
  return text
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\x1b[()][A-Za-z0-9]/g, '')
    .replace(/\x1b[=>78DEHM]/g, '')
    .replace(/[\r\x00\x07]/g, '')
    .replace(/[^\n\b]?\x08/g, '');
}

/** A switch's CLI over one SSH shell channel. */
export class CliShell {
  private buf = '';
  private closed: string | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly channel: ClientChannel, private readonly where: string) {
    const take = (d: Buffer) => {
      this.buf += clean(d.toString('utf8'));
      if (MORE.test(this.buf)) {
        this.buf = this.buf.replace(MORE, '');
        channel.write(' ');
      }
      this.wake?.();
    };
    channel.on('data', take);
    channel.stderr.on('data', take);
    channel.on('close', () => { this.closed ??= `${where} closed the CLI session`; this.wake?.(); });
  }

  /** Why the shell is unusable, or null. */
  get failure(): string | null { return this.closed; }

  /** Send text as typed (discarding output nobody waited for). */
  write(text: string): void {
    if (this.closed) throw new ShellError(this.closed);
    this.buf = '';
    this.channel.write(text);
  }

  /** Wait until the output ends with one of `patterns` (anchor them with `$`). */
  expect(patterns: RegExp[], timeoutMs: number, what: string): Promise<Matched> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => { clearTimeout(timer); this.wake = null; };
      const check = (): boolean => {
        for (const [index, re] of patterns.entries()) {
          const match = re.exec(this.buf);
          if (!match) continue;
          const before = this.buf.slice(0, match.index);
          this.buf = this.buf.slice(match.index + match[0].length);
          finish();
          resolve({ before, index, match });
          return true;
        }
        if (this.closed) { finish(); reject(new ShellError(`${this.closed} (${what})`)); return true; }
        return false;
      };
      if (check()) return;
      timer = setTimeout(() => {
        finish();
        const tail = this.buf.trim().split('\n').slice(-2).join(' | ').slice(-120);
        this.closed ??= `${this.where} did not answer within ${timeoutMs / 1000} s`;
        reject(new ShellError(`${this.where}: ${what}: no prompt within ${timeoutMs / 1000} s${tail ? ` (last output: "${tail}")` : ''}`));
      }, timeoutMs);
      this.wake = () => { check(); };
    });
  }

  /** Close the channel. */
  close(): void {
    this.closed ??= 'closed';
    this.channel.close();
  }
}
