// The serial console over IPMI SOL: `ipmitool sol activate` needs a terminal,
// so it runs under util-linux `script` (a pty), with the password in the
// environment only. A stale session (left by a killed ipmitool or another
// client) is deactivated first, and ours is deactivated when the stream goes.
// Every `script` started is told to a ChildRecorder, so that the next daemon
// can end what a daemon killed with -9 left running (src/daemon/console-children.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { bmcKey, explainIpmitool, ipmitoolArgs, ipmitoolEnv, runIpmitool, withoutSecret, type BmcTarget, type BmcQueue } from './ipmi-tool.js';
import { shellQuote } from '../shell-quote.js';

/** ipmitool's line once the SOL payload is active. */
const OPERATIONAL = /\[SOL Session operational[^\]]*\]\r?\n?/;
const KILL_GRACE_MS = 2000;

/** Told of every detached process group a SOL console starts (its leader's pid) and of its end. */
export interface ChildRecorder {
  started(pid: number): void;
  ended(pid: number): void;
}

/** Signal the process group of a detached child (script, its shell and ipmitool). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
}

/**
 * The node's SOL console as a byte stream. It starts with one line saying the
 * session is open, then carries the serial output; what is written to it goes
 * to ipmitool's stdin (typed on the console; dropped until the session is
 * operational). It errors with ipmitool's words if the session cannot be
 * opened within timeoutMs, and ends when the session ends. Destroy it to detach.
 */
export function solConsole(node: string, t: BmcTarget, queue: BmcQueue, timeoutMs: number, children?: ChildRecorder): Duplex {
  let child: ChildProcess | null = null;
  let closed = false;
  let operational = false;
  const stream = new Duplex({
    allowHalfOpen: false,
    read() { /* data is pushed as it arrives */ },
    write(chunk: Buffer, _enc, cb) {
      const stdin = child?.stdin;
      if (!operational || !stdin || stdin.destroyed) { cb(); return; }
      stdin.write(chunk, () => cb());
    },
    destroy(err, cb) {
      closed = true;
      if (child) stop(child);
      cb(err);
    },
  });

  const stop = (c: ChildProcess) => {
    const gone = new Promise<void>((res) => {
      if (c.exitCode !== null || c.signalCode !== null) res(); else c.once('close', () => res());
    });
    signalGroup(c, 'SIGTERM');
    const kill = setTimeout(() => signalGroup(c, 'SIGKILL'), KILL_GRACE_MS);
    void gone.then(() => clearTimeout(kill));
    // A killed ipmitool leaves the payload active on the BMC: free it for the next session. Queued now, so
    // that a session opened meanwhile activates after this deactivate, not before it.
    void queue.run(bmcKey(t), async () => { await gone; await runIpmitool(t, ['sol', 'deactivate'], timeoutMs); }).catch(() => {});
  };

  const start = () => {
    const command = ['ipmitool', ...ipmitoolArgs(t, ['sol', 'activate'])].map(shellQuote).join(' ');
    const c = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...ipmitoolEnv(t), SHELL: '/bin/sh', TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    child = c;
    const pid = c.pid;
    if (pid !== undefined) {
      children?.started(pid);
      c.once('close', () => children?.ended(pid));
    }
    c.stdin?.on('error', () => { /* the session's end is reported by close */ });
    let early = '';
    const timer = setTimeout(() => {
      stream.destroy(new Error(`no SOL session from the BMC at ${bmcKey(t)} within ${Math.round(timeoutMs / 1000)} s` +
        (early.trim() ? `: ${explainIpmitool(withoutSecret(early, t))}` : '')));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      if (operational) { stream.push(chunk); return; }
      early += chunk.toString('utf8');
      const m = OPERATIONAL.exec(early);
      if (!m) return;
      operational = true;
      clearTimeout(timer);
      stream.push(`[SOL console of ${node} connected]\r\n`);
      const rest = early.slice(m.index + m[0].length);
      if (rest) stream.push(rest);
    };
    c.stdout?.on('data', onData);
    c.stderr?.on('data', onData);
    c.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      stream.destroy(new Error(e.code === 'ENOENT' ? 'script (util-linux) is not installed on the haas server' : `cannot run script: ${e.message}`));
    });
    c.once('close', (code) => {
      clearTimeout(timer);
      if (closed) return;
      if (!operational) {
        const words = explainIpmitool(withoutSecret(early, t));
        stream.destroy(new Error(`ipmitool sol activate: ${words || `exit code ${code}`}`));
      } else {
        stream.push(null);
      }
    });
  };

  // Deactivate any stale session first. "already de-activated" is the normal case; any other
  // failure (wrong password, BMC down) is the console's error, without a second timeout.
  queue.run(bmcKey(t), () => runIpmitool(t, ['sol', 'deactivate'], timeoutMs)).then(
    () => { if (!closed) start(); },
    (e: Error) => {
      if (closed) return;
      if (/already de-?activated/i.test(e.message)) start();
      else stream.destroy(e);
    });
  return stream;
}
