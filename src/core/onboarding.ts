// Onboarding a switch (issue 15): discover the ports the switch itself lists,
// and import them into the inventory. An import registers the discovered
// ports in one transaction; with `adopt`, a registered port cabled to a nic
// whose switch VLANs all match networks the nic's node's project may use gets
// those networks recorded as the nic's attachments (each audited) instead of
// being parked. Every other port that carries something is marked unmanaged:
// haas neither parks nor repairs it (verify --fix, drift checks skip it) until
// the admin decides (`haas port manage`, or a later import --adopt that can adopt it).
// Nothing is ever sent to the switch: discovery only reads it.
import { ApiError, BadArgumentError, messageOf, SwitchError } from '../errors.js';
import type { DiscoveredInterface, LinkState, PortVlans, SwitchDriver } from '../drivers/switch/types.js';
import { NATIVE } from '../drivers/switch/vlan-state.js';
import { requireAdmin } from './authz.js';
import { currentCall, recordAudit, resumeCall } from './audit.js';
import { now, type Core, type Principal } from './context.js';
import { describeVlans } from './drift.js';
import { mustPort, mustSwitch } from './lookup.js';
import { driverOf } from './switches.js';
import { addPort, portOfSwitch, type SwitchRow } from '../db/store/switches.js';
import { putAttachment } from '../db/store/attachments.js';
import {
  clearPortUnmanaged, importPortsOfSwitch, markPortUnmanaged, networksByVlan, unmanagedPortsOfSwitch,
  type ImportPortRow, type UnmanagedPortRow, type VlanNetworkRow,
} from '../db/store/onboarding.js';

/** One interface of a discover answer: the switch's view of it and the inventory's. */
export interface DiscoveredPort {
  name: string;
  /** haas accepts the name as a port of this switch's driver (else it cannot be registered). */
  valid: boolean;
  registered: boolean;
  /** Set when an import left the port for the admin to decide: since when, what it carried, why. */
  unmanaged: Omit<UnmanagedPortRow, 'port'> | null;
  link: LinkState;
  native: number | null;
  tagged: number[];
  /** The switch's configuration is not plain VLANs (e.g. a trunk of every VLAN): what is wrong. */
  anomaly?: string;
}

/** GET /switch/<s>/discover: every interface the switch lists, in its order. */
export interface DiscoverReport { switch: string; interfaces: DiscoveredPort[] }

/** A port whose VLANs were adopted: one row per network. */
export interface Adoption { port: string; node: string; nic: string; network: string; channel: string }

/** A port the import left for the admin: what the switch carries and why it was not adopted. */
export interface LeftPort { port: string; native: number | null; tagged: number[]; anomaly?: string; why: string }

/** POST /switch/<s>/import: what was (dry run: would be) done. */
export interface ImportReport {
  switch: string;
  dry_run: boolean;
  adopt: boolean;
  /** Ports registered by this import. */
  registered: string[];
  /** Ports already registered and left as they were. */
  unchanged: string[];
  adopted: Adoption[];
  /** Ports left for the admin (unmanaged when registered), and interfaces haas cannot register. */
  left: LeftPort[];
}

/** What an import is asked to do. */
export interface ImportOptions {
  /** A glob over port names (`*`, `?`, `[...]`); none: every interface. */
  ports?: string;
  adopt: boolean;
  dryRun: boolean;
}

/** A glob over port names: `*` any run of characters (`/` too), `?` one character, `[abc]`, `[0-9]`, `[!0-9]`; throws BadArgumentError. */
export function portPattern(glob: string): RegExp {
  const bad = (why: string) => new BadArgumentError(`invalid --ports pattern "${glob}": ${why}`);
  if (glob === '') throw bad('it is empty');
  if (glob.length > 200) throw bad('longer than 200 characters');
  if (/\s/.test(glob)) throw bad('port names have no spaces');
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) throw bad('"[" without "]"');
      let set = glob.slice(i + 1, end);
      const negate = set.startsWith('!');
      if (negate) set = set.slice(1);
      if (!/^[A-Za-z0-9/_.:-]+$/.test(set)) throw bad(`"[${glob.slice(i + 1, end)}]" is not a set of letters, digits and ranges`);
      re += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === ']') throw bad('"]" without "["');
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Read the switch's interfaces in its worker lane; a device failure is a SwitchError (502) in the switch's words. */
async function readInterfaces(core: Core, sw: SwitchRow): Promise<DiscoveredInterface[]> {
  try {
    return await core.withSwitchSession(sw, `discovering the ports of switch "${sw.label}"`, (s) => s.listInterfaces());
  } catch (e) {
    throw e instanceof ApiError ? e : new SwitchError(`switch "${sw.label}": cannot list its interfaces: ${messageOf(e)}`);
  }
}

function validName(driver: SwitchDriver, name: string): string | null {
  try { driver.validatePortName(name); return null; } catch (e) { return messageOf(e); }
}

function vlanFields(v: PortVlans): { native: number | null; tagged: number[]; anomaly?: string } {
  return { native: v.native, tagged: [...v.tagged], ...(v.anomaly !== undefined ? { anomaly: v.anomaly } : {}) };
}

/** The switch's interfaces with their inventory state (admin). Reads the switch; changes nothing. */
export async function discoverSwitch(core: Core, p: Principal, label: string): Promise<DiscoverReport> {
  requireAdmin(p);
  const found = await readInterfaces(core, mustSwitch(core.inv, label));
  return core.inv.tx(() => {
    const sw = mustSwitch(core.inv, label);
    const driver = driverOf(core, sw);
    const registered = new Set(importPortsOfSwitch(core.inv, sw.id).map((r) => r.port));
    const unmanaged = new Map(unmanagedPortsOfSwitch(core.inv, sw.id).map(({ port, ...rest }) => [port, rest]));
    return {
      switch: sw.label,
      interfaces: found.map((i): DiscoveredPort => ({
        name: i.name, valid: validName(driver, i.name) === null, registered: registered.has(i.name),
        unmanaged: unmanaged.get(i.name) ?? null, link: i.link, ...vlanFields(i.vlans),
      })),
    };
  });
}

/** Why a registered, cabled port cannot keep its VLANs, or the attachments that adopt them. */
function adoptionOf(row: ImportPortRow, vlans: PortVlans, nets: Map<number, VlanNetworkRow>): { why: string } | { attach: Array<{ net: VlanNetworkRow; channel: string }> } {
  if (vlans.anomaly !== undefined) return { why: `the switch's configuration is not plain VLANs: ${vlans.anomaly}` };
  if (row.nic_id === null) return { why: 'no nic is connected to this port in the inventory: connect one (haas port connect-nic) and import with --adopt again' };
  if (row.pending) return { why: `nic "${row.nic}" of node "${row.node}" has a pending networking action` };
  if (row.project_id === null) return { why: `node "${row.node}" is in no project: only a node in a project may be on a network` };
  const wanted: Array<[number, string]> = [
    ...(vlans.native === null ? [] : [[vlans.native, NATIVE] as [number, string]]),
    ...vlans.tagged.map((v): [number, string] => [v, `vlan/${v}`]),
  ];
  const attach: Array<{ net: VlanNetworkRow; channel: string }> = [];
  for (const [vlan, channel] of wanted) {
    const net = nets.get(vlan);
    if (!net) return { why: `VLAN ${vlan} is the net_id of no network haas knows` };
    if (net.access.length > 0 && !net.access.includes(row.project_id)) {
      return { why: `project "${row.project}" of node "${row.node}" may not use network "${net.label}" (VLAN ${vlan})` };
    }
    attach.push({ net, channel });
  }
  return { attach };
}

/** The import itself, in one transaction: the plan, carried out unless `apply` is false (dry run). */
function planImport(core: Core, label: string, found: DiscoveredInterface[], opts: ImportOptions, match: RegExp | null,
  who: { actor: string | null; source: string }, apply: boolean): ImportReport {
  const { inv } = core;
  const sw = mustSwitch(inv, label);
  const driver = driverOf(core, sw);
  const selected = match ? found.filter((i) => match.test(i.name)) : found;
  if (match && selected.length === 0) {
    throw new BadArgumentError(`--ports "${opts.ports}" matches none of the ${found.length} interfaces switch "${label}" lists`);
  }
  const rows = new Map(importPortsOfSwitch(inv, sw.id).map((r) => [r.port, r]));
  const unmanaged = new Set(unmanagedPortsOfSwitch(inv, sw.id).map((u) => u.port));
  const nets = networksByVlan(inv);
  const at = now();
  const report: ImportReport = { switch: sw.label, dry_run: !apply, adopt: opts.adopt, registered: [], unchanged: [], adopted: [], left: [] };
  const leave = (portId: number | null, i: DiscoveredInterface, why: string) => {
    report.left.push({ port: i.name, ...vlanFields(i.vlans), why });
    if (apply && portId !== null) markPortUnmanaged(inv, portId, at, describeVlans(i.vlans), why);
  };
  const carries = (v: PortVlans) => v.anomaly !== undefined || v.native !== null || v.tagged.length > 0;
  for (const i of selected) {
    const invalid = validName(driver, i.name);
    if (invalid !== null) { report.left.push({ port: i.name, ...vlanFields(i.vlans), why: `not registered: ${invalid}` }); continue; }
    const row = rows.get(i.name);
    if (!row) {
      report.registered.push(i.name);
      let portId: number | null = null;
      if (apply) { addPort(inv, sw.id, i.name); portId = portOfSwitch(inv, sw.id, i.name)!.id; }
      if (carries(i.vlans)) {
        leave(portId, i, 'a new port has no nic in the inventory: connect one (haas port connect-nic) and import with --adopt again, '
          + `or hand it to haas (haas port manage ${sw.label} ${i.name}), which then isolates it`);
      }
      continue;
    }
    // A registered port is the inventory's: only --adopt looks at one the inventory puts on no network.
    if (!opts.adopt || row.attachments > 0 || !carries(i.vlans)) { report.unchanged.push(i.name); continue; }
    const plan = adoptionOf(row, i.vlans, nets);
    if ('why' in plan) { leave(row.port_id, i, plan.why); continue; }
    for (const { net, channel } of plan.attach) {
      report.adopted.push({ port: i.name, node: row.node!, nic: row.nic!, network: net.label, channel });
      if (!apply) continue;
      putAttachment(inv, row.nic_id!, net.id, channel);
      recordAudit(inv, {
        operation: 'port_adopt', outcome: 'ok', actor: who.actor, source: who.source, node: row.node, network: net.label,
        projects: [row.project!], detail: { switch: sw.label, port: i.name, nic: row.nic!, channel, vlan: net.net_id },
      });
    }
    if (apply && unmanaged.has(i.name)) clearPortUnmanaged(inv, row.port_id);
  }
  return report;
}

/**
 * Register the switch's discovered ports (those matching `ports`) in one transaction, adopt
 * the VLANs of registered, cabled ports with `adopt`, and mark what is left unmanaged (admin).
 * With `dryRun` the answer is the plan and nothing changes.
 */
export async function importSwitch(core: Core, p: Principal, label: string, opts: ImportOptions): Promise<ImportReport> {
  requireAdmin(p);
  const match = opts.ports === undefined ? null : portPattern(opts.ports);
  const call = currentCall(core.inv);
  const found = await readInterfaces(core, mustSwitch(core.inv, label));
  const who = { actor: call?.actor ?? p.user, source: call?.source ?? 'haas' };
  // Planned again from the inventory as it is now: it may have changed while the switch answered.
  return resumeCall(core.inv, call, () => core.inv.tx(() => planImport(core, label, found, opts, match, who, !opts.dryRun)));
}

/** Hand an unmanaged port to haas (admin): drift checks and verify --fix bring it to the inventory's networks from now on. */
export function managePort(core: Core, p: Principal, switchLabel: string, port: string): { switch: string; port: string; was_unmanaged: boolean } {
  requireAdmin(p);
  return core.inv.tx(() => {
    const sw = mustSwitch(core.inv, switchLabel);
    const pt = mustPort(core.inv, sw, port);
    return { switch: sw.label, port: pt.label, was_unmanaged: clearPortUnmanaged(core.inv, pt.id) };
  });
}
