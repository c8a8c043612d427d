// Lab fixture: OpenSSH sshd in the foreground on 127.0.0.1:<free port>, the
// switch's management plane. It runs in a private mount namespace (unshare
// -m) where a tmpfs /run gives it /run/sshd and bind-mounted copies of
// /etc/passwd and /etc/shadow give it a login user, so nothing global
// changes. Every login runs its command through a wrapper that exports the
// lab's OVS_RUNDIR (ovs-vsctl then finds the lab's database) and that can
// be told to hold commands (to stop sshd "mid-batch").
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { descendants, killAll, onCleanup, run } from './netns.js';
import { freePort } from '../lib/daemon.js';

/** A running (or stopped, restartable) lab sshd. */
export interface LabSshd {
  host: string;
  port: number;
  username: string;
  password: string;
  /** An OpenSSH private key whose public half is authorized. */
  privateKey: string;
  /** (Re)start sshd on the same port. */
  start(): Promise<void>;
  /** Kill sshd and every session it runs (a switch that vanishes), by process id. */
  stop(): void;
  /**
   * Cut the SSH session (kill -9 of its sshd process, the connection drops
   * without an answer) of every command that writes (contains the word
   * `set`): `after` it ran, or `before` it runs; `after-down`: after it
   * ran, and sshd itself goes too (restart it with stop() and start());
   * `hang-after`: it runs, then the session never answers (until cut(null)).
   */
  cut(when: 'after' | 'before' | 'after-down' | 'hang-after' | null): void;
  /** While held, every command waits before it runs; `held()` says whether one is waiting. */
  hold(on: boolean): void;
  held(): boolean;
  /** The OpenSSH fingerprint (`SHA256:...`) of its host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint(): string;
  /** Stop, generate a fresh host key and start again on the same port (a reinstalled switch, or someone in the middle). */
  newHostKey(): Promise<void>;
}

async function listening(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => { s.destroy(); res(true); });
      s.on('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`lab sshd did not listen on 127.0.0.1:${port} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Prepare and start an sshd whose logins run commands with `env` exported (e.g. OVS_RUNDIR). */
export async function startSshd(opts: { dir: string; env: Record<string, string> }): Promise<LabSshd> {
  const { dir } = opts;
  const username = 'haaslab';
  const password = 'lab-' + Math.random().toString(36).slice(2, 10);
  const port = await freePort();
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ssh_host_key')]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  const hash = run('openssl', ['passwd', '-6', '-stdin'], { input: password, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  writeFileSync(join(dir, 'passwd'), readFileSync('/etc/passwd', 'utf8') + `${username}:x:0:0:haas lab switch:${dir}:/bin/sh\n`);
  writeFileSync(join(dir, 'shadow'), readFileSync('/etc/shadow', 'utf8') + `${username}:${hash}:19000:0:99999:7:::\n`, { mode: 0o600 });
  const hold = join(dir, 'hold');
  const heldMark = join(dir, 'held');
  const cutMode = join(dir, 'cut');
  const exports = Object.entries(opts.env).map(([k, v]) => `export ${k}='${v}'`).join('\n');
  writeFileSync(join(dir, 'switch-login'), `#!/bin/sh
while [ -e '${hold}' ]; do : > '${heldMark}'; sleep 0.02; done
${exports}
cut=$(cat '${cutMode}' 2>/dev/null)
case "$SSH_ORIGINAL_COMMAND" in *" set "*|*"'set'"*) ;; *) cut= ;; esac
if [ -n "$cut" ]; then
  # The nearest sshd above us serves this session: killing it drops the connection unanswered.
  p=$PPID
  while [ "$p" -gt 1 ] && [ "$(cat /proc/$p/comm)" != sshd ]; do p=$(cut -d' ' -f4 /proc/$p/stat); done
  [ "$cut" != before ] && /bin/sh -c "$SSH_ORIGINAL_COMMAND" >/dev/null 2>&1
  if [ "$cut" = hang-after ]; then
    while [ "$(cat '${cutMode}' 2>/dev/null)" = hang-after ]; do sleep 0.05; done
    exit 0
  fi
  [ "$cut" = after-down ] && kill -9 "$(cat '${join(dir, 'sshd.pid')}')"
  kill -9 "$p"
  exit 0
fi
exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"
`);
  chmodSync(join(dir, 'switch-login'), 0o755);
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'ssh_host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    'UsePAM no', 'PasswordAuthentication yes', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes',
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PermitRootLogin yes', 'StrictModes no', `AllowUsers ${username}`,
    `ForceCommand ${join(dir, 'switch-login')}`, 'MaxStartups 100', 'LogLevel ERROR', 'PrintMotd no', 'PrintLastLog no',
    'UseDNS no', 'Subsystem sftp internal-sftp',
  ].join('\n') + '\n');
  const setup = [
    'mount -t tmpfs -o mode=755 haas-lab-run /run', 'mkdir -m 755 /run/sshd',
    `mount --bind '${join(dir, 'passwd')}' /etc/passwd`, `mount --bind '${join(dir, 'shadow')}' /etc/shadow`,
    `exec /usr/sbin/sshd -D -e -f '${join(dir, 'sshd_config')}'`,
  ].join(' && ');

  let child: ChildProcess | null = null;
  let log = '';
  const stop = () => {
    if (!child?.pid) return;
    killAll([child.pid, ...descendants(child.pid)]);
    child = null;
  };
  onCleanup(stop);
  const sshd: LabSshd = {
    host: '127.0.0.1', port, username, password,
    privateKey: readFileSync(join(dir, 'client_key'), 'utf8'),
    async start() {
      if (child) return;
      child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', setup], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (d) => { log += d; });
      // A forgotten stop() must not keep the test process alive: its exit hook kills sshd.
      child.unref();
      (child.stderr as unknown as { unref(): void }).unref();
      const c = child;
      try {
        await Promise.race([listening(port, 10_000), new Promise((_, rej) => c.once('exit', () => rej(new Error(`lab sshd exited: ${log}`))))]);
      } catch (e) {
        stop();
        throw e;
      }
    },
    stop,
    cut(when) {
      if (when) writeFileSync(cutMode, when); else rmSync(cutMode, { force: true });
    },
    hold(on) {
      if (on) writeFileSync(hold, '');
      else { rmSync(hold, { force: true }); rmSync(heldMark, { force: true }); }
    },
    held: () => existsSync(heldMark),
    hostKeyFingerprint: () => run('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'ssh_host_key.pub')]).split(' ')[1]!,
    async newHostKey() {
      stop();
      rmSync(join(dir, 'ssh_host_key'), { force: true });
      rmSync(join(dir, 'ssh_host_key.pub'), { force: true });
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ssh_host_key')]);
      await sshd.start();
    },
  };
  await sshd.start();
  return sshd;
}
