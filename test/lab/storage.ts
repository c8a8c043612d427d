// Lab storage for the daemon's database: a private mount namespace holding an ext4 filesystem
// on a loop device (whose failure stands for a power cut) or a small tmpfs (a disk that fills
// up). Nothing is mounted in the test's own namespace: commands run in the private one through
// nsenter, and so does the daemon, through a wrapper executable (`haasBin`). A test reaches the
// database through a symlink that only resolves inside the namespace, and the daemon's socket
// stays in an ordinary directory. Everything is undone by `close()`, also when a test fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDaemon, type DaemonOptions } from '../lib/daemon.js';
import { onCleanup, run } from './netns.js';

/** Why these fixtures cannot run here, or null when they can (root, util-linux, e2fsprogs). */
export function storageLabUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the storage lab needs root (mount namespaces, loop devices); run the tests as root';
  for (const tool of ['unshare', 'nsenter', 'mount', 'umount', 'losetup', 'mkfs.ext4', 'e2fsck', 'dd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) return `the storage lab needs ${tool} (util-linux, e2fsprogs)`;
  }
  return null;
}

/** A private mount namespace with a directory `mnt` where a filesystem is mounted. */
export class PrivateMount {
  /** Where the test's files live: `mnt` (the mount point), the image, the wrapper. */
  readonly dir = mkdtempSync(join(tmpdir(), 'haas-storage-'));
  readonly mnt = join(this.dir, 'mnt');
  /** The haas executable, run inside the namespace (same pid: kill -9 reaches haas itself). */
  readonly haasBin = join(this.dir, 'haas-in-ns');
  /** The daemon's directory (socket, lock); its `haas.db` is a symlink to `mnt/haas.db`. */
  readonly state = join(this.dir, 'state');
  private holder: ChildProcess;
  private readonly undo: () => void;

  /** `haas`: the command line that runs haas (haasCommand() of test/lib/daemon.ts). */
  constructor(haas: { cmd: string; args: string[] }) {
    mkdirSync(this.mnt);
    mkdirSync(this.state, { mode: 0o700 });
    symlinkSync(join(this.mnt, 'haas.db'), join(this.state, 'haas.db'));
    // unshare execs cat in the new namespace, which lives as long as cat (and what runs in it):
    // cat ends when the test process dies (its stdin closes), so a killed test leaves no mount.
    this.holder = spawn('unshare', ['--mount', '--propagation', 'private', 'cat'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const argv = [resolve(haas.cmd), ...haas.args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    writeFileSync(this.haasBin, `#!/bin/sh\nexec nsenter -t ${this.holder.pid} -m -- ${argv} "$@"\n`);
    chmodSync(this.haasBin, 0o755);
    this.undo = onCleanup(() => this.teardown());
  }

  /** Wait until the namespace exists (unshare has exec'd cat). */
  async ready(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const own = spawnSync('readlink', ['/proc/self/ns/mnt'], { encoding: 'utf8' }).stdout.trim();
      const theirs = spawnSync('readlink', [`/proc/${this.holder.pid}/ns/mnt`], { encoding: 'utf8' }).stdout.trim();
      if (theirs && theirs !== own) return;
      if (Date.now() > deadline) throw new Error('unshare did not make a mount namespace');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Run a command inside the namespace; returns stdout, throws with stderr. */
  exec(cmd: string, args: string[]): string {
    return run('nsenter', ['-t', String(this.holder.pid), '-m', '--', cmd, ...args]);
  }

  /** Run a command inside the namespace and return its exit code (for dd filling a disk, which fails by design). */
  status(cmd: string, args: string[]): number | null {
    return spawnSync('nsenter', ['-t', String(this.holder.pid), '-m', '--', cmd, ...args], { stdio: 'ignore', timeout: 60_000 }).status;
  }

  /** Fill the mounted filesystem up to its last block. */
  fill(name = 'fill'): void {
    this.status('dd', ['if=/dev/zero', `of=${join(this.mnt, name)}`, 'bs=4k']);
  }

  /** Start a daemon inside the namespace on `state` (its database on the mounted filesystem). */
  async startDaemon(opts: Omit<DaemonOptions, 'dir'> = {}): Promise<Awaited<ReturnType<typeof startDaemon>>> {
    const saved = process.env.HAAS_BIN;
    process.env.HAAS_BIN = this.haasBin;
    try { return await startDaemon({ ...opts, dir: this.state }); } finally {
      if (saved === undefined) delete process.env.HAAS_BIN; else process.env.HAAS_BIN = saved;
    }
  }

  close(): void { this.undo(); }

  private teardown(): void {
    this.unmount();
    this.holder.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  protected unmount(): void {
    spawnSync('nsenter', ['-t', String(this.holder.pid), '-m', '--', 'umount', '-l', this.mnt], { stdio: 'ignore' });
  }
}

/** A small tmpfs at `mnt`: a disk that can be filled with dd and freed. */
export async function tmpfsMount(haas: { cmd: string; args: string[] }, size = '4m'): Promise<PrivateMount> {
  const m = new PrivateMount(haas);
  try {
    await m.ready();
    m.exec('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'haas-test', m.mnt]);
  } catch (e) { m.close(); throw e; }
  return m;
}

/** ext4 on a loop device at `mnt`, remounted read-only on error, with a power cut at hand. */
export class LoopExt4 extends PrivateMount {
  readonly image = join(this.dir, 'disk.img');

  /** Make and mount a fresh filesystem of `sizeMiB`. */
  async create(sizeMiB = 64): Promise<void> {
    await this.ready();
    run('truncate', ['-s', `${sizeMiB}M`, this.image]);
    run('mkfs.ext4', ['-q', '-F', this.image]);
    this.mount();
  }

  mount(): void { this.exec('mount', ['-o', 'loop,errors=remount-ro', this.image, this.mnt]); }

  /** The loop device holding the image (e.g. `loop3`), or null when none does. */
  loopDevice(): string | null {
    const out = spawnSync('losetup', ['-j', this.image], { encoding: 'utf8' }).stdout;
    const m = /^\/dev\/(loop\d+):/m.exec(out);
    return m ? m[1]! : null;
  }

  /**
   * A power cut: the filesystem fails at once (ext4's trigger_fs_error), so what the page cache
   * had not written back never reaches the disk; it stays mounted read-only until unmounted.
   */
  powerCut(): void {
    const dev = this.loopDevice();
    if (!dev) throw new Error(`no loop device holds ${this.image}`);
    writeFileSync(`/sys/fs/ext4/${dev}/trigger_fs_error`, '1');
  }

  /** Unmount, repair with e2fsck -fy (returns its output) and mount again: the restart after the power cut. */
  fsckAndRemount(): string {
    this.exec('umount', [this.mnt]);
    const r = spawnSync('e2fsck', ['-fy', this.image], { encoding: 'utf8', timeout: 60_000 });
    // 0: clean; 1: errors corrected. Anything else: the filesystem is not usable.
    if (r.status !== 0 && r.status !== 1) throw new Error(`e2fsck -fy exited ${r.status}: ${r.stdout}${r.stderr}`);
    this.mount();
    return r.stdout;
  }

  protected override unmount(): void {
    super.unmount();
    // mount -o loop sets autoclear; a loop device left by a failed unmount is detached here.
    const dev = this.loopDevice();
    if (dev) spawnSync('losetup', ['-d', `/dev/${dev}`], { stdio: 'ignore' });
  }
}

/** Make the loop-device ext4 fixture: `await fs.create()` next. */
export function loopExt4(haas: { cmd: string; args: string[] }): LoopExt4 {
  return new LoopExt4(haas);
}
