// `switch learn`: find which port each nic is cabled to from the switch's
// forwarding table, and (with apply) register the missing ports and record
// the cabling. A MAC address is matched against the nics' registered
// addresses compared normalized (case, `:`/`-`/`.`). What cannot be decided
// is reported, never resolved: a MAC seen on several ports, a port carrying
// the MACs of several nics, a port or nic already cabled to another one, a
// MAC address registered for several nics. Ports that carry more than
// `uplink_macs` addresses (or that are not port names of this switch: a
// port-channel, the CPU) are uplinks or trunks, not node ports: their
// sightings are left out and the ports are listed.
//
// The discovery VLAN: a node whose port is on no network sends into a port
// that drops its frames (haas isolates such ports), so the switch never
// learns its MAC. With a discovery VLAN, the free ports (registered, with no
// nic on a network) and the named unregistered ports are put on that VLAN
// (outside the pool, used by no network), the switch's table is read after
// `wait` seconds (while the nodes PXE-boot and send), and the ports are put
// back as they were, even when something failed. The plan is computed and
// applied in one transaction after the device calls, from the table read.
import { BadArgumentError, messageOf, SwitchError, ApiError } from '../errors.js';
import type { MacEntry, PortChange, PortVlans, SwitchSession } from '../drivers/switch/types.js';
import { normalizeMac } from '../drivers/switch/mac.js';
import { claimCallEntry, currentCall, recordAudit, resumeCall, type CallHandle } from './audit.js';
import { requireAdmin } from './authz.js';
import type { Core, Principal } from './context.js';
import { mustSwitch } from './lookup.js';
import { driverOf } from './switches.js';
import { inPool } from './vlans.js';
import { nicCabling, portCabling, type PortCablingRow } from '../db/store/cabling.js';
import { addPort, cableNic, portOfSwitch, type SwitchRow } from '../db/store/switches.js';
import { vlanInUse } from '../db/store/networks.js';

/** Ports carrying more distinct MAC addresses than this are uplinks or trunks unless the caller says otherwise. */
export const DEFAULT_UPLINK_MACS = 8;
/** The longest wait on a discovery VLAN (s): the call holds its HTTP request that long, and clients give up after 60 s of silence. */
export const MAX_DISCOVERY_WAIT_S = 45;

/** What learning says of one nic. */
export interface LearnedNic {
  node: string;
  nic: string;
  macaddr: string;
  /**
   * `connect`: seen on `port` alone, to be cabled there (`register_port`: the port is registered first);
   * `connected`: so cabled by this call (apply); `in_place`: already cabled to `port`;
   * `conflict`: see `reason`; `not_seen`: not in the table (the nic is uncabled or cabled to this switch).
   */
  status: 'connect' | 'connected' | 'in_place' | 'conflict' | 'not_seen';
  port?: string;
  register_port?: boolean;
  reason?: string;
}

/** The answer of learn. */
export interface LearnReport {
  switch: string;
  /** Rows read from the switch's forwarding table. */
  entries: number;
  /** The threshold used: a port with more distinct MACs than this is an uplink. */
  uplink_macs: number;
  /** Ports whose sightings were left out, and why (uplink or trunk, not a port of this switch). */
  not_node_ports: Record<string, string>;
  nics: LearnedNic[];
  /** Whether the plan was applied (connect entries became connected). */
  applied: boolean;
  /** With a discovery VLAN: the ports put on it and put back; errors by port. */
  discovery?: { vlan: number; ports: string[]; errors?: Record<string, string> };
}

/** The options of a learn call, validated. */
export interface LearnOptions {
  apply: boolean;
  uplinkMacs: number;
  discovery: { vlan: number; waitS: number; ports: string[] } | null;
}

/** Validate a learn call's options as the API gives them (untyped JSON values, or query strings). */
export function learnOptions(raw: { apply?: unknown; uplink_macs?: unknown; discovery_vlan?: unknown; wait?: unknown; ports?: unknown }): LearnOptions {
  const int = (name: string, v: unknown, min: number, max: number): number => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new BadArgumentError(`"${name}" must be an integer from ${min} to ${max}`);
    }
    return n;
  };
  if (raw.apply !== undefined && typeof raw.apply !== 'boolean') throw new BadArgumentError('"apply" must be true or false');
  const uplinkMacs = raw.uplink_macs === undefined ? DEFAULT_UPLINK_MACS : int('uplink_macs', raw.uplink_macs, 1, 100000);
  let discovery: LearnOptions['discovery'] = null;
  if (raw.discovery_vlan !== undefined) {
    const ports = raw.ports ?? [];
    if (!Array.isArray(ports) || !ports.every((p): p is string => typeof p === 'string')) throw new BadArgumentError('"ports" must be a list of port names');
    discovery = {
      vlan: int('discovery_vlan', raw.discovery_vlan, 1, 4094),
      waitS: raw.wait === undefined ? 30 : int('wait', raw.wait, 0, MAX_DISCOVERY_WAIT_S),
      ports: [...new Set(ports)],
    };
  } else if (raw.wait !== undefined || raw.ports !== undefined) {
    throw new BadArgumentError('"wait" and "ports" only apply with "discovery_vlan"');
  }
  return { apply: raw.apply === true, uplinkMacs, discovery };
}

/** Read the switch's forwarding table and match it against the nics; with apply, register the ports and cable the nics (admin). */
export async function learnSwitch(core: Core, p: Principal, label: string, opts: LearnOptions): Promise<LearnReport> {
  requireAdmin(p);
  const call = currentCall(core.inv);
  const sw = mustSwitch(core.inv, label);
  const driver = driverOf(core, sw);
  let discovery: LearnReport['discovery'];
  if (opts.discovery) {
    const d = opts.discovery;
    if (inPool(core.config.vlanPool, d.vlan)) throw new BadArgumentError(`VLAN ${d.vlan} is in the VLAN pool: a discovery VLAN must be outside it`);
    if (vlanInUse(core.inv, d.vlan)) throw new BadArgumentError(`VLAN ${d.vlan} is a network's VLAN: a discovery VLAN must be used by no network`);
    for (const port of d.ports) driver.validatePortName(port);
    discovery = { vlan: d.vlan, ports: discoveryPorts(portCabling(core.inv, sw.id), d.ports) };
  }
  const table = await withSession(core, sw, 'learning the cabling of', async (s) => {
    if (!discovery || discovery.ports.length === 0) return s.macTable();
    return onDiscoveryVlan(core, sw, s, discovery, opts.discovery!.waitS);
  });
  return resumeCall(core.inv, call, () => core.inv.tx(() => {
    const report = plan(core, sw, table, opts.uplinkMacs);
    if (discovery) report.discovery = discovery;
    if (opts.apply) applyPlan(core, p, sw, report, call);
    return report;
  }));
}

/** Free registered ports (no nic, or a nic on no network) and the named ports that are not registered. */
function discoveryPorts(rows: PortCablingRow[], named: string[]): string[] {
  const registered = new Set(rows.map((r) => r.port));
  const busy = rows.filter((r) => r.networks > 0).map((r) => r.port);
  const refused = named.filter((n) => busy.includes(n));
  if (refused.length) throw new BadArgumentError(`port ${refused.join(', ')} carries a network: only free ports go on a discovery VLAN`);
  return [...rows.filter((r) => r.networks === 0).map((r) => r.port), ...named.filter((n) => !registered.has(n))].sort();
}

/** Run `use` with the switch's session; device failures become SwitchError with the switch's words. */
async function withSession<T>(core: Core, sw: SwitchRow, what: string, use: (s: SwitchSession) => Promise<T>): Promise<T> {
  try {
    return await core.withSwitchSession(sw, `${what} switch "${sw.label}"`, use);
  } catch (e) {
    throw e instanceof ApiError ? e : new SwitchError(`switch "${sw.label}": cannot read its MAC address table: ${messageOf(e)}`);
  }
}

/** The changes that give a port exactly `to` from no network. */
function restoreChanges(port: string, to: PortVlans): PortChange[] {
  const out: PortChange[] = [{ kind: 'revert', port }];
  if (to.native !== null) out.push({ kind: 'modify', port, channel: { native: true }, vlan: to.native });
  for (const v of to.tagged) out.push({ kind: 'modify', port, channel: { native: false, vlan: v }, vlan: v });
  return out;
}

/**
 * Put the ports on the discovery VLAN, wait, read the table, and put every
 * port back as it was read before (a port in a shape haas cannot write back
 * is left alone), in a finally: also when the wait or the read failed.
 */
async function onDiscoveryVlan(core: Core, sw: SwitchRow, s: SwitchSession, d: NonNullable<LearnReport['discovery']>, waitS: number): Promise<MacEntry[]> {
  const errors: Record<string, string> = {};
  const before = await s.getPortNetworks(d.ports);
  const ports = d.ports.filter((port) => {
    const a = before.get(port)?.anomaly;
    if (a !== undefined) errors[port] = `left alone: its configuration cannot be put back as it is (${a})`;
    return a === undefined;
  });
  const moved: string[] = [];
  try {
    const changes = ports.map((port): PortChange => ({ kind: 'modify', port, channel: { native: true }, vlan: d.vlan }));
    const results = await s.applyBatch(changes);
    // An uncertain change may have been applied: it is put back too.
    results.forEach((r, i) => { if (r === null || r.uncertain) moved.push(ports[i]!); if (r) errors[ports[i]!] = r.error; });
    if (waitS > 0) await new Promise((r) => setTimeout(r, waitS * 1000));
    return await s.macTable();
  } finally {
    const back = moved.flatMap((port) => restoreChanges(port, before.get(port)!));
    try {
      const results = await s.applyBatch(back);
      results.forEach((r, i) => { if (r) errors[back[i]!.port] = `not put back: ${r.error}`; });
    } catch (e) {
      for (const port of moved) errors[port] = `not put back: ${messageOf(e)}`;
    }
    d.ports = ports;
    if (Object.keys(errors).length) d.errors = errors;
    if (Object.keys(errors).some((port) => errors[port]!.startsWith('not put back'))) {
      core.log.error(`switch "${sw.label}": ports left on discovery VLAN ${d.vlan}: ${Object.keys(errors).join(', ')} (check with "haas switch verify ${sw.label}")`);
    }
  }
}

/** Match the table against the inventory (read in the caller's transaction). */
function plan(core: Core, sw: SwitchRow, table: MacEntry[], uplinkMacs: number): LearnReport {
  const driver = driverOf(core, sw);
  const macsOfPort = new Map<string, Set<string>>();
  for (const e of table) {
    const mac = normalizeMac(e.mac);
    if (mac === null) continue;
    let set = macsOfPort.get(e.port);
    if (!set) macsOfPort.set(e.port, (set = new Set()));
    set.add(mac);
  }
  const notNode: Record<string, string> = {};
  const portsOfMac = new Map<string, string[]>();
  for (const [port, macs] of [...macsOfPort].sort((a, b) => a[0].localeCompare(b[0]))) {
    let why: string | null = null;
    try { driver.validatePortName(port); } catch { why = `not a port name of a ${sw.type} switch`; }
    if (why === null && macs.size > uplinkMacs) why = `carries ${macs.size} MAC addresses (more than ${uplinkMacs}): an uplink or a trunk`;
    if (why !== null) { notNode[port] = why; continue; }
    for (const mac of macs) {
      const list = portsOfMac.get(mac) ?? [];
      list.push(port);
      portsOfMac.set(mac, list);
    }
  }
  const nics = nicCabling(core.inv);
  const nicsOfMac = new Map<string, string[]>();
  for (const n of nics) {
    const mac = normalizeMac(n.macaddr);
    if (mac !== null) nicsOfMac.set(mac, [...(nicsOfMac.get(mac) ?? []), `${n.node}/${n.nic}`]);
  }
  const ports = new Map(portCabling(core.inv, sw.id).map((r) => [r.port, r]));
  // The nics seen on each port: a port that carries several is not one nic's cable.
  const nicsSeenOnPort = new Map<string, string[]>();
  for (const [mac, names] of nicsOfMac) {
    const seen = portsOfMac.get(mac);
    if (seen?.length === 1) nicsSeenOnPort.set(seen[0]!, [...(nicsSeenOnPort.get(seen[0]!) ?? []), ...names]);
  }
  const out: LearnedNic[] = [];
  for (const n of nics) {
    const here = n.switch === sw.label;
    const base = { node: n.node, nic: n.nic, macaddr: n.macaddr };
    const mac = normalizeMac(n.macaddr);
    if (mac === null) {
      if (here || n.port === null) out.push({ ...base, status: 'conflict', reason: `its MAC address "${n.macaddr}" is not a MAC address` });
      continue;
    }
    const seen = portsOfMac.get(mac) ?? [];
    if (seen.length === 0) {
      if (here || n.port === null) out.push({ ...base, status: 'not_seen', ...(here ? { port: n.port! } : {}) });
      continue;
    }
    const conflict = (reason: string, port?: string) => out.push({ ...base, status: 'conflict', ...(port !== undefined ? { port } : {}), reason });
    const twins = nicsOfMac.get(mac)!.filter((name) => name !== `${n.node}/${n.nic}`);
    if (twins.length) { conflict(`its MAC address is also registered for ${twins.join(', ')}`); continue; }
    if (seen.length > 1) { conflict(`its MAC address is seen on several ports: ${seen.join(', ')}`); continue; }
    const port = seen[0]!;
    const others = (nicsSeenOnPort.get(port) ?? []).filter((name) => name !== `${n.node}/${n.nic}`);
    if (here && n.port === port) { out.push({ ...base, status: 'in_place', port }); continue; }
    if (others.length) { conflict(`port ${port} also carries the MAC addresses of ${others.join(', ')}`, port); continue; }
    if (n.port !== null) { conflict(`it is already connected to port ${n.port} of switch ${n.switch}`, port); continue; }
    const row = ports.get(port);
    if (row?.nic_id != null) { conflict(`port ${port} is already connected to ${row.node}/${row.nic}`, port); continue; }
    out.push({ ...base, status: 'connect', port, register_port: row === undefined });
  }
  return { switch: sw.label, entries: table.length, uplink_macs: uplinkMacs, not_node_ports: notNode, nics: out, applied: false };
}

/** Register the missing ports and cable the nics of the plan's `connect` entries (in the caller's transaction), audited. */
function applyPlan(core: Core, p: Principal, sw: SwitchRow, report: LearnReport, call: CallHandle | null): void {
  const todo = report.nics.filter((n) => n.status === 'connect');
  report.applied = true;
  if (todo.length === 0) return;
  const entry = claimCallEntry(call);
  const who = { actor: entry?.actor ?? p.user, source: entry?.source ?? 'haas' };
  const ids = new Map(nicCabling(core.inv).map((n) => [`${n.node}/${n.nic}`, n.nic_id]));
  for (const n of todo) {
    const port = n.port!;
    if (n.register_port) {
      addPort(core.inv, sw.id, port);
      recordAudit(core.inv, { ...who, operation: 'switch_register_port', outcome: 'ok', detail: { switch: sw.label, port, via: 'switch_learn' } });
    }
    cableNic(core.inv, ids.get(`${n.node}/${n.nic}`)!, portOfSwitch(core.inv, sw.id, port)!.id);
    recordAudit(core.inv, {
      ...who, operation: 'port_connect_nic', outcome: 'ok', node: n.node,
      detail: { switch: sw.label, port, node: n.node, nic: n.nic, macaddr: n.macaddr, via: 'switch_learn' },
    });
    n.status = 'connected';
  }
  if (entry) {
    recordAudit(core.inv, {
      ...who, operation: entry.operation, outcome: 'ok',
      detail: { ...entry.detail, connected: todo.length, registered_ports: todo.filter((n) => n.register_port).length },
    });
  }
}
