// Lab plumbing: running commands, network namespaces, veth cables, ping, and
// a cleanup list that runs even when a test fails or the process exits early.
// Everything is named with a per-run prefix; addresses live only inside the
// namespaces created here.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** Why the lab cannot run here, or null when it can (root, with ip, ovs and sshd installed). */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the OVS/SSH lab needs root (network namespaces, OVS); run the tests as root (.ci/run does)';
  for (const tool of ['ip', 'ovs-vsctl', 'ovsdb-server', 'ovs-vswitchd', 'ovsdb-tool', 'ping', 'unshare', 'ssh-keygen', 'openssl']) {
    try { execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }); } catch { return `the lab needs ${tool} (see .ci/run)`; }
  }
  try { execFileSync('sh', ['-c', 'test -x /usr/sbin/sshd'], { stdio: 'ignore' }); } catch { return 'the lab needs /usr/sbin/sshd (openssh-server)'; }
  return null;
}

/** A unique name prefix for this run: short, so that `<prefix>-<name>` fits in 15 characters. */
export function labPrefix(): string {
  return 'h' + randomBytes(3).toString('hex').slice(0, 5);
}

/** Run a command; returns stdout, throws with its stderr. */
export function run(cmd: string, args: string[], opts: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'], ...opts }) as string;
  } catch (e) {
    const err = e as { stderr?: Buffer | string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${String(err.stderr ?? '').trim() || err.message}`);
  }
}

const cleanups: Array<() => void> = [];
let hooked = false;

/** Register a synchronous cleanup; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(fn: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', runAllCleanups);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { runAllCleanups(); process.exit(130); });
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

function runAllCleanups(): void {
  while (cleanups.length > 0) cleanups[cleanups.length - 1]!();
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
