// `haas serve --detach`: start the daemon in the background and return once it serves, so that a
// script's next line can use it. The daemon runs in a new session with its output appended to a
// log file; it reports readiness on an inherited descriptor (HAAS_READY_FD) once every listener is
// bound. If it fails to start, we wait for it to exit (no zombie, no daemon left), print what it
// logged and exit with its exit code.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';
import { isSea } from 'node:sea';
import type { Readable } from 'node:stream';

/** The environment variable naming the descriptor on which a detached daemon says it is ready. */
export const READY_FD_ENV = 'HAAS_READY_FD';

/** The command that runs this haas again: the executable itself, or node with the sources' loader and entry. */
function selfCommand(): { cmd: string; args: string[] } {
  if (isSea()) return { cmd: process.execPath, args: [] };
  return { cmd: process.execPath, args: [...process.execArgv, process.argv[1]!] };
}

/** What the log file gained since `offset` (at most the last 16 KiB). */
function logSince(fd: number, offset: number): string {
  const size = fstatSync(fd).size;
  const from = Math.max(offset, size - 16 * 1024);
  const buf = Buffer.alloc(Math.max(0, size - from));
  const n = buf.length ? readSync(fd, buf, 0, buf.length, from) : 0;
  return buf.subarray(0, n).toString('utf8');
}

/**
 * Start `haas serve ARGS` detached, logging to `logFile`; resolve with the exit code for this
 * command: 0 once the daemon is ready (after printing its pid, endpoints and log file), or the
 * daemon's own exit code (after printing its log lines) if it failed to start.
 */
export async function serveDetached(serveArgs: string[], logFile: string): Promise<number> {
  let log: number;
  try { log = openSync(logFile, 'a+', 0o640); } catch (e) {
    process.stderr.write(`haas: cannot open the log file ${logFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return 1;
  }
  const offset = fstatSync(log).size;
  const { cmd, args } = selfCommand();
  const child = spawn(cmd, [...args, 'serve', ...serveArgs], {
    detached: true,
    stdio: ['ignore', log, log, 'pipe'],
    env: { ...process.env, [READY_FD_ENV]: '3' },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })));
  const spawnFailed = new Promise<Error>((res) => child.once('error', res));
  const ready = new Promise<string | null>((res) => {
    let text = '';
    const pipe = child.stdio[3] as Readable;
    pipe.setEncoding('utf8');
    pipe.on('data', (d: string) => {
      text += d;
      const nl = text.indexOf('\n');
      if (nl >= 0) res(text.slice(0, nl));
    });
    pipe.once('close', () => res(null));
    pipe.once('error', () => res(null));
  });
  const first = await Promise.race([ready, spawnFailed, exited.then(() => null)]);
  if (first instanceof Error) {
    closeSync(log);
    process.stderr.write(`haas: cannot start the daemon: ${first.message}\n`);
    return 1;
  }
  if (first !== null && first.startsWith('ready ')) {
    (child.stdio[3] as Readable).destroy();
    child.unref();
    closeSync(log);
    process.stdout.write(`haas: daemon ready, pid ${child.pid}, serving ${first.slice('ready '.length)}; log: ${logFile}\n`);
    return 0;
  }
  // It closed the descriptor without being ready: it is exiting. Reap it and show why.
  const { code, signal } = await exited;
  const why = logSince(log, offset);
  closeSync(log);
  if (why) process.stderr.write(why.endsWith('\n') ? why : `${why}\n`);
  process.stderr.write(`haas: the daemon failed to start (${signal ? `signal ${signal}` : `exit ${code}`}); log: ${logFile}\n`);
  return code && code > 0 ? code : 1;
}

/** In the daemon started by serveDetached: tell the waiting parent that we serve these endpoints. */
export function readyNotifier(env: NodeJS.ProcessEnv = process.env): ((endpoints: string[]) => void) | undefined {
  const text = env[READY_FD_ENV];
  if (text === undefined) return undefined;
  delete env[READY_FD_ENV]; // not for the processes the daemon starts
  const fd = Number(text);
  if (!Number.isInteger(fd) || fd < 3) return undefined;
  return (endpoints) => {
    try { writeSync(fd, `ready ${endpoints.join(' ')}\n`); } catch { /* the parent is gone: nobody waits */ }
    try { closeSync(fd); } catch { /* already closed */ }
  };
}
