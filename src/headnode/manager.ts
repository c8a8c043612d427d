// The headnode manager: one run directory and one daemonized QEMU per
// headnode, its taps on the host bridge, a QMP connection that tells when
// QEMU exits, and re-adoption of the QEMUs a previous daemon left running.
// It knows nothing of the inventory: core passes what a VM needs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { connect, type Socket } from 'node:net';
import type { HeadnodeConfig } from '../config.js';
import type { HeadnodeManager, HeadnodeVm } from '../core/headnode-vms.js';
import type { Logger } from '../log.js';
import { boundLog, followConsole, recentOutput, SERIAL_LOG_MAX } from './console.js';
import { HeadnodeError } from './errors.js';
import { HOST_NETWORKS, type HostNetwork } from './hostnet.js';
import { createOverlay, findImage, listImages } from './images.js';
import { Qmp } from './qmp.js';
import { isQemuOf, kvmUsable, launchQemu, readPid, runFiles } from './qemu.js';

/** How a VM ended without a stop call: the guest powered off, or QEMU died. */
export type ExitKind = 'stopped' | 'dead';

interface Running {
  vm: HeadnodeVm;
  pid: number;
  qmp: Qmp;
  vncport: number | null;
  /** Set by stop(): the exit that follows is ours, not news. */
  stopping: boolean;
  guestShutdown: boolean;
  logTimer: NodeJS.Timeout;
}

/** Linux interface name of a headnode's n-th hnic (at most 15 characters). */
export function tapName(uuid: string, index: number): string {
  return `hn${uuid.replace(/-/g, '').slice(0, 8)}x${index}`;
}

/** A stable locally administered MAC for a headnode's n-th hnic. */
export function macOf(uuid: string, index: number): string {
  const h = createHash('sha256').update(`${uuid}/${index}`).digest();
  return ['52', '54', h[0], h[1], h[2], h[3]].map((b) => (typeof b === 'string' ? b : b!.toString(16).padStart(2, '0'))).join(':');
}

const LOG_CHECK_MS = 5000;

/** The QEMU headnode manager. */
export class QemuHeadnodeManager implements HeadnodeManager {
  private readonly vms = new Map<string, Running>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly serialClients = new Map<string, Socket>();
  private readonly net: HostNetwork;
  private accel: Promise<'kvm' | 'tcg'> | null = null;

  constructor(private readonly cfg: HeadnodeConfig, private readonly log: Logger,
    private readonly onExit: (uuid: string, kind: ExitKind) => void) {
    this.net = HOST_NETWORKS[cfg.backend](cfg);
  }

  images(): string[] { return listImages(this.cfg.imageDir); }
  hasImage(name: string): boolean { return this.images().includes(name); }
  running(uuid: string): boolean { return this.vms.has(uuid); }

  private dir(uuid: string): string { return join(this.cfg.runDir, uuid); }

  /** Run `fn` after every earlier operation on the same VM. */
  private serialize<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(uuid) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    const tail = next.catch(() => {});
    this.locks.set(uuid, tail);
    void tail.then(() => { if (this.locks.get(uuid) === tail) this.locks.delete(uuid); });
    return next;
  }

  private accelerator(): Promise<'kvm' | 'tcg'> {
    if (this.cfg.kvm === 'on') return Promise.resolve('kvm');
    if (this.cfg.kvm === 'off') return Promise.resolve('tcg');
    this.accel ??= kvmUsable().then(({ usable, why }) => {
      this.log.info(`headnodes: ${usable ? 'KVM' : 'TCG (no KVM)'}: ${why}`);
      return usable ? 'kvm' : 'tcg';
    });
    return this.accel;
  }

  start(vm: HeadnodeVm): Promise<{ vncport: number | null }> {
    return this.serialize(vm.uuid, async () => {
      const have = this.vms.get(vm.uuid);
      if (have) return { vncport: have.vncport };
      const dir = this.dir(vm.uuid);
      const files = runFiles(dir);
      // A start that fails leaves the run directory and the overlay as they were before it.
      const madeDir = !existsSync(dir);
      const madeDisk = !existsSync(files.disk);
      const undo = () => {
        for (const f of [files.qmp, files.serialSock, files.pidfile]) rmSync(f, { force: true });
        if (madeDir) rmSync(dir, { recursive: true, force: true });
        else if (madeDisk) rmSync(files.disk, { force: true });
      };
      let pid: number;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const image = findImage(this.cfg.imageDir, vm.baseImg);
        if (!image) throw new HeadnodeError(`base image "${vm.baseImg}" is no longer in ${this.cfg.imageDir}`);
        if (madeDisk) await createOverlay(image, files.disk);
        for (const f of [files.qmp, files.serialSock, files.pidfile]) rmSync(f, { force: true });
        boundLog(files.serialLog, 0); // the previous run's output moves to serial.log.1
        const nics = vm.hnics.map((_, i) => ({ tap: tapName(vm.uuid, i), mac: macOf(vm.uuid, i) }));
        pid = await launchQemu({
          uuid: vm.uuid, name: vm.label, dir, image, memoryMb: this.cfg.memoryMb, cpus: this.cfg.cpus,
          accel: await this.accelerator(), nics,
        });
      } catch (e) {
        undo();
        throw e;
      }
      let qmp: Qmp | null = null;
      try {
        qmp = await Qmp.connect(files.qmp);
        const vncport = await vncPort(qmp);
        await this.plugAll(vm);
        await qmp.execute('cont');
        this.track(vm, pid, qmp, vncport);
        this.log.info(`headnode ${vm.label}: started (pid ${pid}, vnc ${vncport ?? '-'})`);
        return { vncport };
      } catch (e) {
        qmp?.close();
        // QEMU's exit deletes its taps; unplug takes them off the bridge (a failed plug already did).
        await this.kill(vm.uuid, pid);
        await this.unplugAll(vm).catch((u: Error) => this.log.warn(`headnode ${vm.label}: ${u.message}`));
        undo();
        this.log.warn(`headnode ${vm.label}: start failed: ${(e as Error).message}`);
        throw e;
      }
    });
  }

  stop(vm: HeadnodeVm): Promise<void> {
    return this.serialize(vm.uuid, () => this.stopNow(vm));
  }

  destroy(vm: HeadnodeVm): Promise<void> {
    return this.serialize(vm.uuid, async () => {
      await this.stopNow(vm);
      rmSync(this.dir(vm.uuid), { recursive: true, force: true });
    });
  }

  adopt(vm: HeadnodeVm, wasRunning: boolean): Promise<{ vncport: number | null } | null> {
    return this.serialize(vm.uuid, async () => {
      const dir = this.dir(vm.uuid);
      const files = runFiles(dir);
      const pid = readPid(files.pidfile);
      // A stop removes the pidfile last: without one, a headnode not marked running has nothing to clean.
      if (pid === null && !wasRunning) return null;
      if (pid !== null && isQemuOf(pid, dir)) {
        try {
          const qmp = await Qmp.connect(files.qmp);
          const status = await qmp.execute<{ status: string }>('query-status');
          if (status.status === 'prelaunch' || status.status === 'paused') {
            // The daemon died between launch and `cont`: finish the start.
            await this.plugAll(vm);
            await qmp.execute('cont');
          }
          const vncport = await vncPort(qmp);
          this.track(vm, pid, qmp, vncport);
          this.log.info(`headnode ${vm.label}: adopted running QEMU (pid ${pid})`);
          return { vncport };
        } catch (e) {
          this.log.warn(`headnode ${vm.label}: QEMU ${pid} does not answer on QMP (${(e as Error).message}); stopping it`);
          await this.kill(vm.uuid, pid);
        }
      }
      await this.unplugAll(vm).catch((e: Error) => this.log.warn(`headnode ${vm.label}: ${e.message}`));
      rmSync(files.pidfile, { force: true });
      return null;
    });
  }

  console(uuid: string): Readable | null {
    const log = runFiles(this.dir(uuid)).serialLog;
    if (!existsSync(log) && !existsSync(`${log}.1`)) return null;
    return followConsole(log, () => this.vms.has(uuid));
  }

  consoleLog(uuid: string, follow: boolean): Readable | null {
    const log = runFiles(this.dir(uuid)).serialLog;
    if (!existsSync(log) && !existsSync(`${log}.1`)) return null;
    const whole = 2 * SERIAL_LOG_MAX;
    return follow ? followConsole(log, () => this.vms.has(uuid), whole) : Readable.from([recentOutput(log, whole)]);
  }

  /**
   * A read-write connection to the running VM's serial port (QEMU's
   * serial.sock takes one client at a time: a new one ends the previous).
   */
  async attachSerial(uuid: string): Promise<Socket> {
    if (!this.vms.has(uuid)) throw new HeadnodeError('the headnode is not running');
    this.serialClients.get(uuid)?.destroy();
    const sock = await new Promise<Socket>((res, rej) => {
      const s = connect(runFiles(this.dir(uuid)).serialSock);
      s.once('connect', () => { s.off('error', rej); res(s); });
      s.once('error', (e) => rej(new HeadnodeError(`cannot open the serial console: ${e.message}`)));
    });
    this.serialClients.set(uuid, sock);
    sock.once('close', () => { if (this.serialClients.get(uuid) === sock) this.serialClients.delete(uuid); });
    return sock;
  }

  /** Stop watching every VM (daemon shutdown); the QEMUs keep running. */
  detachAll(): void {
    for (const [uuid, r] of this.vms) {
      r.stopping = true;
      clearInterval(r.logTimer);
      r.qmp.close();
      this.vms.delete(uuid);
    }
  }

  private track(vm: HeadnodeVm, pid: number, qmp: Qmp, vncport: number | null): void {
    const uuid = vm.uuid;
    const log = runFiles(this.dir(uuid)).serialLog;
    const r: Running = {
      vm, pid, qmp, vncport, stopping: false, guestShutdown: false,
      logTimer: setInterval(() => { try { boundLog(log); } catch { /* next time */ } }, LOG_CHECK_MS),
    };
    r.logTimer.unref();
    qmp.listen((name, data) => { if (name === 'SHUTDOWN' && data.guest === true) r.guestShutdown = true; });
    this.vms.set(uuid, r);
    void qmp.closed.then(() => {
      clearInterval(r.logTimer);
      if (this.vms.get(uuid) === r) this.vms.delete(uuid);
      if (r.stopping) return;
      this.onExit(uuid, r.guestShutdown ? 'stopped' : 'dead');
      void this.serialize(uuid, () => this.unplugAll(vm))
        .catch((e: Error) => this.log.warn(`headnode ${vm.label}: ${e.message}`));
    });
  }

  private async stopNow(vm: HeadnodeVm): Promise<void> {
    const files = runFiles(this.dir(vm.uuid));
    const r = this.vms.get(vm.uuid);
    if (r) {
      r.stopping = true;
      // `quit` is a hard power off (like `virsh destroy`): QEMU exits at once.
      await r.qmp.execute('quit', undefined, 3000).catch(() => {});
      await this.kill(vm.uuid, r.pid, 2000);
      r.qmp.close();
      await r.qmp.closed;
    } else {
      const pid = readPid(files.pidfile);
      if (pid !== null && isQemuOf(pid, this.dir(vm.uuid))) await this.kill(vm.uuid, pid);
    }
    await this.unplugAll(vm);
    for (const f of [files.qmp, files.serialSock, files.pidfile]) rmSync(f, { force: true });
    if (r) this.log.info(`headnode ${vm.label}: stopped`);
  }

  /** Wait up to `graceMs` for QEMU `pid` to exit, then SIGKILL it and wait for it to be gone. */
  private async kill(uuid: string, pid: number, graceMs = 0): Promise<void> {
    const dir = this.dir(uuid);
    const gone = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((res) => setTimeout(res, 20))) {
        if (!isQemuOf(pid, dir)) return true;
      }
      return !isQemuOf(pid, dir);
    };
    if (graceMs > 0 && await gone(graceMs)) return;
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    if (!(await gone(5000))) throw new HeadnodeError(`QEMU ${pid} did not exit after SIGKILL`);
  }

  private async plugAll(vm: HeadnodeVm): Promise<void> {
    for (const [i, h] of vm.hnics.entries()) if (h.vlan !== null) await this.net.plug(tapName(vm.uuid, i), h.vlan);
  }

  private async unplugAll(vm: HeadnodeVm): Promise<void> {
    for (const [i, h] of vm.hnics.entries()) if (h.vlan !== null) await this.net.unplug(tapName(vm.uuid, i), h.vlan);
  }
}

async function vncPort(qmp: Qmp): Promise<number | null> {
  const vnc = await qmp.execute<{ enabled?: boolean; service?: string }>('query-vnc');
  return vnc.enabled && vnc.service ? Number(vnc.service) : null;
}
