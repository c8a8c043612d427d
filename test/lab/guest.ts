// Lab fixture: the tiniest useful headnode guest, built once from Debian
// packages and cached: the cloud kernel (linux-image-*-cloud-amd64) and a
// busybox initramfs with the virtio modules. Its init configures the NICs
// from the kernel command line, prints a ready marker with its addresses on
// ttyS0, pings what it is asked to and reports each result, then gives a
// shell on the console.
//   haas.net=eth0:10.0.0.5/24,eth1:10.0.1.5/24   addresses
//   haas.ping=10.0.0.1,10.0.1.1                   targets
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the guest prints once its NICs are up: `HAAS-GUEST-READY eth0=10.0.0.5/24 ...`. */
export const READY_MARKER = 'HAAS-GUEST-READY';
/** One line per ping target: `HAAS-PING 10.0.0.1 ok` or `... fail`. */
export const PING_MARKER = 'HAAS-PING';

/** The cloud kernel has no e1000: virtio only, loaded in this order (LAB.md). */
const MODULES = ['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci',
  'failover', 'net_failover', 'virtio_net', 'virtio_blk'];

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in ${MODULES.join(' ')}; do insmod /lib/modules/$m.ko; done
ip link set lo up
addrs=""; targets=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    haas.net=*) for spec in $(echo "\${arg#haas.net=}" | tr ',' ' '); do
        dev=\${spec%%:*}; addr=\${spec#*:}
        ip link set "$dev" up && ip addr add "$addr" dev "$dev" && addrs="$addrs $dev=$addr"
      done ;;
    haas.ping=*) targets=$(echo "\${arg#haas.ping=}" | tr ',' ' ') ;;
  esac
done
echo "${READY_MARKER}$addrs"
for t in $targets; do
  ( if ping -c 1 -W 1 "$t" >/dev/null 2>&1 || ping -c 1 -W 1 "$t" >/dev/null 2>&1; then echo "${PING_MARKER} $t ok"; else echo "${PING_MARKER} $t fail"; fi ) &
done
wait
while true; do setsid cttyhack sh; done
`;

/** A built guest: kernel and initramfs paths. */
export interface TinyGuest { kernel: string; initrd: string; kernelVersion: string }

function sh(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, ...(cwd ? { cwd } : {}) });
}

/** Where built guests are kept across runs (HAAS_TEST_CACHE, default under the temp dir). */
export function cacheDir(): string {
  return process.env.HAAS_TEST_CACHE ?? join(tmpdir(), 'haas-test-cache');
}

let built: TinyGuest | string | null = null;

/** The guest (built on first use, then cached), or why it cannot be built here (the test skips with it). */
export function tinyGuest(): TinyGuest | string {
  built ??= build();
  return built;
}

function build(): TinyGuest | string {
  for (const tool of ['qemu-system-x86_64', 'qemu-img', 'apt-get', 'dpkg-deb', 'cpio', 'gzip']) {
    try { sh('sh', ['-c', `command -v ${tool}`]); } catch { return `the headnode lab needs ${tool} (see .ci/run)`; }
  }
  if (!existsSync('/bin/busybox')) return 'the headnode lab needs busybox-static (/bin/busybox)';
  let pkg: string;
  try {
    pkg = /Depends: (linux-image-[0-9][^\s]*-cloud-amd64)\b/.exec(sh('apt-cache', ['depends', 'linux-image-cloud-amd64']))?.[1] ?? '';
  } catch (e) { return `apt-cache cannot resolve linux-image-cloud-amd64: ${(e as Error).message}`; }
  if (!pkg) return 'apt-cache knows no linux-image-*-cloud-amd64 package (run apt-get update)';
  const version = pkg.replace(/^linux-image-/, '');
  const key = createHash('sha256').update(INIT).update(MODULES.join(',')).digest('hex').slice(0, 10);
  const dir = join(cacheDir(), `guest-${version}-${key}`);
  const guest: TinyGuest = { kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.gz'), kernelVersion: version };
  if (existsSync(guest.kernel) && existsSync(guest.initrd)) return guest;

  mkdirSync(cacheDir(), { recursive: true });
  const work = mkdtempSync(join(cacheDir(), 'build-'));
  try {
    try { sh('apt-get', ['download', '-q', pkg], work); } catch (e) {
      return `cannot download ${pkg} (apt-get download): ${String((e as { stderr?: string }).stderr ?? e).trim().split('\n').pop()}`;
    }
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) return `apt-get download ${pkg} produced no .deb`;
    sh('dpkg-deb', ['-x', deb, 'x'], work);
    const root = join(work, 'root');
    for (const d of ['bin', 'lib/modules', 'proc', 'sys', 'dev', 'tmp']) mkdirSync(join(root, d), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    const modDir = join(work, 'x', 'lib', 'modules', version);
    for (const m of MODULES) {
      const found = sh('find', [modDir, '-name', `${m}.ko`]).trim().split('\n')[0];
      if (!found) return `${pkg} has no ${m}.ko (compressed modules are not supported by this fixture)`;
      copyFileSync(found, join(root, 'lib', 'modules', `${m}.ko`));
    }
    writeFileSync(join(root, 'init'), INIT, { mode: 0o755 });
    const out = join(work, 'out');
    mkdirSync(out);
    sh('sh', ['-c', `find . | cpio -o -H newc --quiet | gzip -1 > ${join(out, 'initrd.gz')}`], root);
    copyFileSync(join(work, 'x', 'boot', `vmlinuz-${version}`), join(out, 'vmlinuz'));
    try { renameSync(out, dir); } catch { /* another run cached it first */ }
    return guest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Put the guest into an image directory as base image `name`: an empty
 * qcow2 disk (so that headnodes get a real overlay) and a manifest with the
 * kernel, initramfs and command line.
 */
export function installImage(imageDir: string, name: string, guest: TinyGuest, opts: { net?: string[]; ping?: string[] } = {}): void {
  mkdirSync(imageDir, { recursive: true });
  const disk = join(imageDir, `${name}.qcow2`);
  if (!existsSync(disk)) sh('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16M']);
  const append = ['console=ttyS0', 'quiet', 'panic=-1',
    ...(opts.net?.length ? [`haas.net=${opts.net.join(',')}`] : []),
    ...(opts.ping?.length ? [`haas.ping=${opts.ping.join(',')}`] : [])].join(' ');
  writeFileSync(join(imageDir, `${name}.json`), JSON.stringify({ kernel: guest.kernel, initrd: guest.initrd, append }, null, 2));
}
