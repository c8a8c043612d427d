// Lab plumbing: running commands, network namespaces, veth cables, ping, and
// a cleanup list that runs even when the process exits early. Everything is
// named with a per-run prefix; addresses live only inside the namespaces
// created here. Used by `haas demo --real` and by the lab tests.
import { execFileSync, type ExecFileSyncOptionsWithStringEncoding } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A program the lab runs, and the Debian package that installs it. */
export interface LabTool { cmd: string; pkg: string }

/** Which of `tools` are not on the PATH (an absolute `cmd` is looked for as a file). */
export function missingTools(tools: readonly LabTool[]): LabTool[] {
  return tools.filter((t) => {
    try { execFileSync('sh', ['-c', t.cmd.startsWith('/') ? `test -f "${t.cmd}"` : `command -v "${t.cmd}"`], { stdio: 'ignore' }); return false; } catch { return true; }
  });
}

/** A unique name prefix for this run: short, so that `<prefix>-<name>` fits in 15 characters. */
export function labPrefix(): string {
  return 'h' + randomBytes(3).toString('hex').slice(0, 5);
}

/** The text a failed child process left on stderr, or its error message. */
function failureText(e: unknown): string {
  if (e instanceof Error) {
    const stderr: unknown = 'stderr' in e ? e.stderr : undefined;
    return String(stderr ?? '').trim() || e.message;
  }
  return String(e);
}

/** Run a command (30 s at most unless `opts` says otherwise); returns stdout, throws with its stderr. */
export function run(cmd: string, args: string[], opts: Omit<ExecFileSyncOptionsWithStringEncoding, 'encoding'> = {}): string {
  try {
    return execFileSync(cmd, args, { timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'], ...opts, encoding: 'utf8' });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')}: ${failureText(e)}`);
  }
}

const cleanups: Array<() => void> = [];
let exitHooked = false;

/**
 * Register a synchronous cleanup, run at process exit if nobody ran it before; returns a function that runs it now
 * (once) and unregisters it. Signals are the caller's: see `cleanUpOnSignals`.
 */
export function onCleanup(fn: () => void): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', runAllCleanups);
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    const i = cleanups.indexOf(once);
    if (i >= 0) cleanups.splice(i, 1);
    try { fn(); } catch { /* best effort: the rest must still run */ }
  };
  cleanups.push(once);
  return once;
}

/** Run every registered cleanup now, newest first. */
export function runAllCleanups(): void {
  while (cleanups.length > 0) cleanups[cleanups.length - 1]!();
}

let signalsHooked = false;

/** Make SIGINT and SIGTERM run every cleanup and exit 130 (a process that owns no other signal handling). */
export function cleanUpOnSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { runAllCleanups(); process.exit(130); });
}

/** Create a network namespace (removed by the returned cleanup) with loopback up. */
export function addNetns(name: string): () => void {
  run('ip', ['netns', 'add', name]);
  const del = onCleanup(() => run('ip', ['netns', 'del', name]));
  run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return del;
}

/** A veth cable: `a` in namespace `nsA`, `b` in `nsB`, both up. */
export function cable(a: string, nsA: string, b: string, nsB: string): void {
  run('ip', ['link', 'add', a, 'netns', nsA, 'type', 'veth', 'peer', 'name', b, 'netns', nsB]);
  run('ip', ['-n', nsA, 'link', 'set', a, 'up']);
  run('ip', ['-n', nsB, 'link', 'set', b, 'up']);
}

/** Whether `ns` gets an answer from `ip` (one echo request, 1 s). */
export function pings(ns: string, ip: string): boolean {
  // A neighbour entry left FAILED by an earlier, isolated check delays the next
  // ARP past ping's 1 s: every check starts from an empty neighbour cache.
  execFileSync('ip', ['-n', ns, 'neigh', 'flush', 'all'], { stdio: 'ignore', timeout: 10_000 });
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-W', '1', '-q', ip], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Every descendant of a process (to stop a daemon's children by their ids). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      let list = children.get(ppid);
      if (!list) children.set(ppid, (list = []));
      list.push(Number(entry));
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

/** SIGKILL these processes, ignoring those already gone. */
export function killAll(pids: number[]): void {
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}
