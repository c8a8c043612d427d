// How a headnode's tap reaches its network on the host. Two backends:
//   ovs           the tap is an access port (tag=VLAN) of the bridge that
//                 carries the trunk to the lab switch;
//   linux-bridge  HIL's layout: bridge br-vlanN over the trunk NIC's VLAN
//                 subinterface NIC.N, both made on demand and removed with
//                 their last tap.
// QEMU creates the taps (they vanish with it); a backend only plugs and
// unplugs them, and removes only what it made.
import type { HeadnodeConfig } from '../config.js';
import { HeadnodeError } from './errors.js';
import { runTool } from './exec.js';

/** Plugs taps into the host's bridge on a VLAN. Both calls are idempotent. */
export interface HostNetwork {
  /** Put a tap (just created by QEMU in the daemon's namespace) on VLAN `vlan`. */
  plug(tap: string, vlan: number): Promise<void>;
  /** Take a tap off its VLAN, whether or not the tap still exists. */
  unplug(tap: string, vlan: number): Promise<void>;
}

/** `ip` in the bridge's namespace. */
function ipIn(netns: string | null) {
  return (...args: string[]) => runTool('ip', netns ? ['-n', netns, ...args] : args);
}

/** Move the tap into the bridge's namespace (if it is not there yet) and bring it up. */
async function bringUp(cfg: HeadnodeConfig, tap: string): Promise<void> {
  if (cfg.bridgeNetns) {
    const here = await runTool('ip', ['-o', 'link', 'show', 'dev', tap]).then(() => true, () => false);
    if (here) await runTool('ip', ['link', 'set', 'dev', tap, 'netns', cfg.bridgeNetns]);
  }
  await ipIn(cfg.bridgeNetns)('link', 'set', 'dev', tap, 'up');
}

function ovs(cfg: HeadnodeConfig): HostNetwork {
  const vsctl = (...args: string[]) => runTool('ovs-vsctl', [...(cfg.ovsDb ? [`--db=${cfg.ovsDb}`] : []), '--timeout=10', ...args]);
  /** Why ovs-vswitchd could not open the interface (ofport -1 and its error column), or null if it did. */
  const interfaceProblem = async (tap: string): Promise<string | null> => {
    const out = JSON.parse(await vsctl('--format=json', '--columns=ofport,error', 'list', 'Interface', tap)) as { data: unknown[][] };
    const [ofport, error] = out.data[0] ?? [];
    const words = typeof error === 'string' && error !== '' ? error : null;
    if (typeof ofport === 'number' && ofport > 0 && !words) return null;
    return words ?? `ovs-vswitchd gave it no port number (ofport ${JSON.stringify(ofport ?? null)})`;
  };
  return {
    async plug(tap, vlan) {
      await bringUp(cfg, tap);
      // add-port succeeds even when ovs-vswitchd cannot open the device (e.g. the tap is in
      // another network namespace): the Interface row then says so, and the tap carries nothing.
      await vsctl('--may-exist', 'add-port', cfg.ovsBridge, tap, '--', 'set', 'port', tap, `tag=${vlan}`, 'vlan_mode=access');
      const problem = await interfaceProblem(tap);
      if (problem === null) return;
      await vsctl('--if-exists', 'del-port', cfg.ovsBridge, tap).catch(() => {});
      throw new HeadnodeError(`OVS cannot attach ${tap} to bridge ${cfg.ovsBridge}: ${problem}`);
    },
    async unplug(tap) {
      await vsctl('--if-exists', 'del-port', cfg.ovsBridge, tap);
    },
  };
}

const MADE_BY_HAAS = 'haas';

function linuxBridge(cfg: HeadnodeConfig): HostNetwork {
  const ip = ipIn(cfg.bridgeNetns);
  const trunk = cfg.trunkNic!;
  const exists = (dev: string) => ip('-o', 'link', 'show', 'dev', dev).then(() => true, () => false);
  const madeByHaas = (dev: string) => ip('-o', 'link', 'show', 'dev', dev).then((out) => out.includes(`alias ${MADE_BY_HAAS}`), () => false);
  return {
    async plug(tap, vlan) {
      const bridge = `br-vlan${vlan}`;
      const sub = `${trunk}.${vlan}`;
      // What haas makes carries the alias "haas", so that unplug removes nothing an admin made.
      if (!(await exists(sub))) {
        await ip('link', 'add', 'link', trunk, 'name', sub, 'type', 'vlan', 'id', String(vlan));
        await ip('link', 'set', 'dev', sub, 'alias', MADE_BY_HAAS);
      }
      if (!(await exists(bridge))) {
        await ip('link', 'add', 'name', bridge, 'type', 'bridge');
        await ip('link', 'set', 'dev', bridge, 'alias', MADE_BY_HAAS);
      }
      await ip('link', 'set', 'dev', sub, 'master', bridge);
      await ip('link', 'set', 'dev', sub, 'up');
      await ip('link', 'set', 'dev', bridge, 'up');
      await bringUp(cfg, tap);
      await ip('link', 'set', 'dev', tap, 'master', bridge);
    },
    async unplug(tap, vlan) {
      const bridge = `br-vlan${vlan}`;
      const sub = `${trunk}.${vlan}`;
      if (await exists(tap)) await ip('link', 'set', 'dev', tap, 'nomaster');
      if (!(await exists(bridge))) return;
      const ports = (await ip('-o', 'link', 'show', 'master', bridge)).split('\n')
        .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1]).filter((n): n is string => !!n && n !== sub);
      if (ports.length > 0) return;
      if (await madeByHaas(bridge)) await ip('link', 'del', 'dev', bridge);
      if (await madeByHaas(sub)) await ip('link', 'del', 'dev', sub);
    },
  };
}

/** The host networking backends by configuration name. */
export const HOST_NETWORKS: Record<HeadnodeConfig['backend'], (cfg: HeadnodeConfig) => HostNetwork> = {
  ovs,
  'linux-bridge': linuxBridge,
};
