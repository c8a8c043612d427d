// One qemu-system-x86_64 per headnode: its command line, its launch
// (daemonized, so it outlives the daemon), and the KVM probe.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadnodeError } from './errors.js';
import type { BaseImage } from './images.js';

/** The QEMU executable headnodes run (looked up on PATH). */
export const QEMU = 'qemu-system-x86_64';

/** The files of one headnode's run directory. */
export function runFiles(dir: string) {
  return {
    disk: join(dir, 'disk.qcow2'),
    qmp: join(dir, 'qmp.sock'),
    serialSock: join(dir, 'serial.sock'),
    serialLog: join(dir, 'serial.log'),
    pidfile: join(dir, 'qemu.pid'),
  };
}

/** What QEMU needs to know about one VM. */
export interface VmSpec {
  uuid: string;
  /** Shown as QEMU's `-name` (the headnode's label). */
  name: string;
  dir: string;
  image: BaseImage;
  memoryMb: number;
  cpus: number;
  accel: 'kvm' | 'tcg';
  /** One entry per hnic, in guest order (eth0, eth1, ...). */
  nics: Array<{ tap: string; mac: string }>;
}

/**
 * The command line. The VM starts paused (-S) so that its taps are on their
 * networks before the guest runs; the serial console goes to a socket and a
 * log file (written even while nobody is connected); VNC takes the first
 * free display on 127.0.0.1.
 */
export function qemuArgs(vm: VmSpec): string[] {
  const f = runFiles(vm.dir);
  const args = [
    '-name', `${vm.name},process=haas-hn-${vm.uuid}`,
    '-uuid', vm.uuid,
    '-machine', 'q35', '-accel', vm.accel,
    ...(vm.accel === 'kvm' ? ['-cpu', 'host'] : []),
    '-m', String(vm.memoryMb), '-smp', String(vm.cpus),
    '-nodefaults', '-no-user-config',
    '-device', 'VGA', '-vnc', '127.0.0.1:0,to=4000',
    '-drive', `file=${f.disk},if=virtio,format=qcow2`,
    '-chardev', `socket,id=serial0,path=${f.serialSock},server=on,wait=off,logfile=${f.serialLog},logappend=on`,
    '-serial', 'chardev:serial0',
    '-qmp', `unix:${f.qmp},server=on,wait=off`,
    '-pidfile', f.pidfile,
    '-daemonize', '-S',
  ];
  if (vm.image.kernel) args.push('-kernel', vm.image.kernel);
  if (vm.image.initrd) args.push('-initrd', vm.image.initrd);
  if (vm.image.kernel && vm.image.append) args.push('-append', vm.image.append);
  vm.nics.forEach((n, i) => {
    args.push('-netdev', `tap,id=net${i},ifname=${n.tap},script=no,downscript=no`,
      '-device', `virtio-net-pci,netdev=net${i},mac=${n.mac}`);
  });
  return args;
}

/** Launch QEMU; resolves once it has daemonized (devices, sockets and taps exist), with its pid. */
export async function launchQemu(vm: VmSpec, timeoutMs = 30_000): Promise<number> {
  const child = spawn(QEMU, qemuArgs(vm), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { if (stderr.length < 8192) stderr += d; });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new HeadnodeError(`${QEMU} did not start within ${timeoutMs / 1000} s`)); }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new HeadnodeError((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${QEMU} is not installed on the haas host` : e.message));
    });
    child.once('close', (c) => { clearTimeout(timer); resolve(c); });
  });
  if (code !== 0) throw new HeadnodeError(`${QEMU} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  const pid = readPid(runFiles(vm.dir).pidfile);
  if (pid === null) throw new HeadnodeError(`${QEMU} started but wrote no pidfile`);
  return pid;
}

/** The pid in a pidfile, or null. */
export function readPid(pidfile: string): number | null {
  try {
    const n = Number(readFileSync(pidfile, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch { return null; }
}

/** Whether `pid` is a live QEMU of the run directory `dir` (guards against a reused pid). */
export function isQemuOf(pid: number, dir: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.includes(dir));
  } catch { return false; }
}

/**
 * Whether KVM can run guests here. /dev/kvm must open, and a firmware-only
 * VM under KVM must start without CPU-feature warnings and reach SeaBIOS's
 * "No bootable device" quickly. Hosts whose KVM lacks features a stock guest
 * needs (the nested KVM of our lab machines) fail the warning check; such
 * guests would hang.
 */
export async function kvmUsable(timeoutMs = 5000): Promise<{ usable: boolean; why: string }> {
  try { closeSync(openSync('/dev/kvm', 'r+')); } catch (e) {
    return { usable: false, why: `/dev/kvm: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'haas-kvm-probe-'));
  const log = join(dir, 'bios.log');
  const child = spawn(QEMU, ['-accel', 'kvm', '-machine', 'q35', '-m', '128', '-nodefaults', '-no-user-config', '-display', 'none',
    '-no-reboot', '-chardev', `file,id=bios,path=${log}`, '-device', 'isa-debugcon,iobase=0x402,chardev=bios'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { stderr += d; });
  child.on('error', () => { /* reported through exitCode below */ });
  const deadline = Date.now() + timeoutMs;
  let verdict: { usable: boolean; why: string } | null = null;
  while (verdict === null) {
    await new Promise((r) => setTimeout(r, 50));
    let bios = '';
    try { bios = readFileSync(log, 'utf8'); } catch { /* not yet */ }
    if (/doesn't support requested feature/.test(stderr)) verdict = { usable: false, why: `KVM lacks CPU features: ${stderr.trim().split('\n')[0]}` };
    else if (bios.includes('No bootable device')) verdict = { usable: true, why: 'a KVM test VM booted its firmware' };
    else if (child.exitCode !== null || child.signalCode !== null) verdict = { usable: false, why: `KVM test VM failed: ${stderr.trim().split('\n').pop() ?? ''}` };
    else if (Date.now() > deadline) verdict = { usable: false, why: `KVM test VM made no progress within ${timeoutMs / 1000} s` };
  }
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  return verdict;
}
