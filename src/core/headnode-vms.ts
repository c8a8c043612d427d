// The headnodes' VMs as core uses them (src/core/headnodes.ts): the daemon
// gives core a manager (src/headnode/manager.ts) that runs them.
import type { Duplex, Readable } from 'node:stream';

/** What the headnode manager needs to know about one headnode. */
export interface HeadnodeVm {
  uuid: string;
  label: string;
  baseImg: string;
  /** In creation order (guest eth0, eth1, ...); vlan null = on no network. */
  hnics: Array<{ label: string; vlan: number | null }>;
}

/** The headnodes' VMs (src/headnode): base images, QEMU processes, their taps and consoles. */
export interface HeadnodeManager {
  /** Sorted names of the configured base images. */
  images(): string[];
  /** Whether a base image of that name is configured. */
  hasImage(name: string): boolean;
  /** Start the VM (its disk overlay is made on first start) with its hnics on their VLANs; a no-op while it runs. */
  start(vm: HeadnodeVm): Promise<{ vncport: number | null }>;
  /** Hard power off and take its taps off the bridge; a no-op when it does not run. */
  stop(vm: HeadnodeVm): Promise<void>;
  /** Stop it and delete its disk and run files. */
  destroy(vm: HeadnodeVm): Promise<void>;
  /**
   * Take back a VM a previous daemon left running (or was starting); null
   * when its QEMU is gone, after taking its taps off the bridge.
   */
  adopt(vm: HeadnodeVm, wasRunning: boolean): Promise<{ vncport: number | null } | null>;
  /** Whether its QEMU runs. */
  running(uuid: string): boolean;
  /** Its serial console (recent output, then live while it runs); null if it never ran. */
  console(uuid: string): Readable | null;
  /** Its whole serial log (serial.log.1 then serial.log), then with `follow` live bytes while it runs; null if it never ran. */
  consoleLog(uuid: string, follow: boolean): Readable | null;
  /** A read-write connection to the running VM's serial port; a new one ends the previous. */
  attachSerial(uuid: string): Promise<Duplex>;
}
