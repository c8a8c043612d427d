// Any switch with Q-BRIDGE-MIB, over SNMP v2c or v3 (authPriv). A port's
// networks are its bits in the VLANs' port bitmaps and its PVID:
//   native N     egress+untagged member of VLAN N, dot1qPvid = N
//   tagged T     egress (not untagged) member of VLAN T
//   no native    dot1qPvid = dummy_vlan, member of no VLAN untagged
// A Q-BRIDGE port always has a PVID, and its untagged frames enter that
// VLAN: a port on no network must not have one its neighbours are on. So it
// is parked on `dummy_vlan`, a VLAN that no port is ever a member of: what it
// sends reaches nobody, and nothing is sent to it. A batch is a
// read-modify-write: read the bitmaps and PVIDs once, apply every change in
// memory, SET every changed object in one request (split only when the agent
// answers tooBig). When the agent refuses an object, the changes of the
// ports behind it fail with the agent's words and the rest is retried. A SET
// is atomic: refused, it changed nothing; unanswered, it may have been
// applied (uncertain, read back by the worker). No answer before the first
// SET means the agent is unreachable and nothing was changed.
import type { Varbind } from 'net-snmp';
import { BadArgumentError, messageOf } from '../../errors.js';
import type { FieldValues } from '../fields.js';
import { applyToPort, type PortState } from './vlan-state.js';
import { OID, SnmpClient, SnmpNoAnswerError, SnmpSetError, type SnmpTarget } from './snmp-client.js';
import { hasPort, portsOf, samePorts, withPort } from './snmp-portlist.js';

/** ASN.1 BER tags of the value types we SET (net-snmp's ObjectType, without loading it). */
const BER = { Integer: 2, OctetString: 4, Gauge: 66 } as const;
import { SwitchUnreachableError, type ChangeResult, type MacEntry, type PortChange, type PortVlans, type SwitchDriver, type SwitchDriverOptions, type SwitchSession, type DiscoveredInterface, type LinkState } from './types.js';

/** Port names are the switch's ifName values: anything printable without spaces. */
const PORT_NAME = /^\S{1,255}$/;
const AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'];
const PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'];
const V3_FIELDS = ['user', 'auth_protocol', 'auth_key', 'priv_protocol', 'priv_key'];
const ROW_CREATE_AND_GO = 4;
const EMPTY = Buffer.alloc(0);

/** Parse `name=bridgePort,...` (the `port_map` field); throws BadArgumentError. */
export function parsePortMap(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const used = new Set<number>();
  for (const entry of text.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const m = /^(\S+)=(\d+)$/.exec(entry);
    const n = m ? Number(m[2]) : NaN;
    if (!m || n < 1 || n > 65535) throw new BadArgumentError(`switch type snmp: port_map entry "${entry}" is not NAME=BRIDGE_PORT (1-65535)`);
    if (out.has(m[1]!) || used.has(n)) throw new BadArgumentError(`switch type snmp: port_map names port "${m[1]}" or bridge port ${n} twice`);
    out.set(m[1]!, n);
    used.add(n);
  }
  if (out.size === 0) throw new BadArgumentError('switch type snmp: port_map is empty');
  return out;
}

function checkSnmpFields(f: FieldValues): void {
  const given = (k: string) => f[k] !== undefined;
  if (String(f.hostname).trim() === '') throw new BadArgumentError('switch type snmp: hostname is empty');
  if (f.version === '2c') {
    if (!given('community')) throw new BadArgumentError('switch type snmp: version 2c needs "community"');
    const extra = V3_FIELDS.filter(given);
    if (extra.length) throw new BadArgumentError(`switch type snmp: ${extra.map((k) => `"${k}"`).join(', ')} only apply to version 3`);
  } else if (f.version === '3') {
    if (given('community')) throw new BadArgumentError('switch type snmp: "community" only applies to version 2c');
    for (const k of ['user', 'auth_key', 'priv_key']) {
      if (!given(k)) throw new BadArgumentError(`switch type snmp: version 3 (authPriv) needs "${k}"`);
    }
    for (const k of ['auth_key', 'priv_key']) {
      if (String(f[k]).length < 8) throw new BadArgumentError(`switch type snmp: "${k}" must have at least 8 characters (RFC 3414)`);
    }
    if (given('auth_protocol') && !AUTH_PROTOCOLS.includes(String(f.auth_protocol))) {
      throw new BadArgumentError(`switch type snmp: auth_protocol must be one of ${AUTH_PROTOCOLS.join(', ')}`);
    }
    if (given('priv_protocol') && !PRIV_PROTOCOLS.includes(String(f.priv_protocol))) {
      throw new BadArgumentError(`switch type snmp: priv_protocol must be one of ${PRIV_PROTOCOLS.join(', ')}`);
    }
  } else {
    throw new BadArgumentError(`switch type snmp: version must be "2c" or "3", not "${f.version}"`);
  }
  if (given('port_map')) parsePortMap(String(f.port_map));
}

function targetOf(f: FieldValues): SnmpTarget {
  const base = { host: String(f.hostname), port: Number(f.port) };
  if (f.version === '2c') return { ...base, auth: { version: '2c', community: String(f.community) } };
  return {
    ...base,
    auth: {
      version: '3',
      user: String(f.user),
      authProtocol: String(f.auth_protocol ?? 'sha'),
      authKey: String(f.auth_key),
      privProtocol: String(f.priv_protocol ?? 'aes'),
      privKey: String(f.priv_key),
    },
  };
}

/** What the switch has: each VLAN's egress and untagged bitmaps, each bridge port's PVID. */
interface QBridgeState {
  egress: Map<number, Buffer>;
  untagged: Map<number, Buffer>;
  pvid: Map<number, number>;
}

/** One object to SET and the bridge ports whose change it carries. */
interface PlannedSet { varbind: Varbind; ports: Set<number> }

function byIndex<T>(rows: Map<string, Varbind>, value: (vb: Varbind) => T | null): Map<number, T> {
  const out = new Map<number, T>();
  for (const [suffix, vb] of rows) {
    const v = value(vb);
    if (/^\d+$/.test(suffix) && v !== null) out.set(Number(suffix), v);
  }
  return out;
}

const asBuffer = (vb: Varbind) => (Buffer.isBuffer(vb.value) ? vb.value : typeof vb.value === 'string' ? Buffer.from(vb.value, 'latin1') : null);
const asNumber = (vb: Varbind) => (typeof vb.value === 'number' ? vb.value : null);

/** The networks of bridge port `bp`, with what is wrong when the switch has a shape this driver does not write. */
function portVlansOf(sw: QBridgeState, bp: number, dummyVlan: number): PortVlans {
  const untaggedIn: number[] = [];
  const taggedIn: number[] = [];
  for (const [vlan, egress] of [...sw.egress].sort((a, b) => a[0] - b[0])) {
    if (!hasPort(egress, bp)) continue;
    (hasPort(sw.untagged.get(vlan) ?? EMPTY, bp) ? untaggedIn : taggedIn).push(vlan);
  }
  const pvid = sw.pvid.get(bp) ?? null;
  const out: PortVlans = { native: null, tagged: taggedIn.filter((v) => v !== dummyVlan) };
  const problems: string[] = [];
  if (pvid === null) problems.push('the switch reports no dot1qPvid for this bridge port');
  else if (untaggedIn.includes(pvid)) out.native = pvid;
  else if (pvid !== dummyVlan) problems.push(`PVID ${pvid} without being an untagged member of VLAN ${pvid}: its untagged frames enter VLAN ${pvid}`);
  const stray = untaggedIn.filter((v) => v !== pvid);
  if (stray.length) problems.push(`untagged member of VLAN ${stray.join(', ')} beside its PVID ${pvid}`);
  if (pvid !== null && taggedIn.includes(pvid)) problems.push(`tagged member of its PVID VLAN ${pvid}`);
  if (untaggedIn.includes(dummyVlan) || taggedIn.includes(dummyVlan)) problems.push(`member of the dummy_vlan ${dummyVlan}`);
  if (pvid === dummyVlan) {
    const members = portsOf(sw.egress.get(dummyVlan) ?? EMPTY);
    if (members.length) problems.push(`parked on the dummy_vlan ${dummyVlan}, which has member ports (bridge ports ${members.join(', ')})`);
  }
  if (problems.length) out.anomaly = problems.join('; ');
  return out;
}

/**
 * The objects to SET so that each bridge port in `targets` has exactly its
 * target networks: VLAN rows to create first, then changed bitmaps, then PVIDs.
 */
function planSets(sw: QBridgeState, targets: Map<number, PortState>, dummyVlan: number): PlannedSet[] {
  const width = Math.max(0, ...[...sw.egress.values()].map((b) => b.length));
  const egress = new Map(sw.egress);
  const untagged = new Map(sw.untagged);
  const creates = new Map<number, Set<number>>();
  const pvids: PlannedSet[] = [];
  const touched = new Map<number, Set<number>>();
  const create = (vlan: number, bp: number) => {
    if (!egress.has(vlan)) {
      egress.set(vlan, Buffer.alloc(width));
      untagged.set(vlan, Buffer.alloc(width));
      creates.set(vlan, new Set());
    }
    creates.get(vlan)?.add(bp);
  };
  for (const [bp, t] of targets) {
    const want = new Map<number, 'tagged' | 'untagged'>();
    for (const v of t.tagged) want.set(v, 'tagged');
    if (t.native !== null) want.set(t.native, 'untagged');
    for (const v of want.keys()) create(v, bp);
    for (const [vlan, list] of egress) {
      const w = want.get(vlan);
      const e = withPort(list, bp, w !== undefined);
      const u = withPort(untagged.get(vlan) ?? EMPTY, bp, w === 'untagged');
      if (!samePorts(e, list) || !samePorts(u, untagged.get(vlan) ?? EMPTY)) {
        let ports = touched.get(vlan);
        if (!ports) touched.set(vlan, (ports = new Set()));
        ports.add(bp);
      }
      egress.set(vlan, e);
      untagged.set(vlan, u);
    }
    const pvid = t.native ?? dummyVlan;
    if (pvid === dummyVlan) create(dummyVlan, bp);
    if (sw.pvid.get(bp) !== pvid) {
      pvids.push({ varbind: { oid: `${OID.dot1qPvid}.${bp}`, type: BER.Gauge, value: pvid }, ports: new Set([bp]) });
    }
  }
  const out: PlannedSet[] = [];
  for (const [vlan, ports] of creates) {
    out.push({ varbind: { oid: `${OID.dot1qVlanStaticRowStatus}.${vlan}`, type: BER.Integer, value: ROW_CREATE_AND_GO }, ports });
  }
  for (const [vlan, ports] of [...touched].sort((a, b) => a[0] - b[0])) {
    const isNew = creates.has(vlan);
    if (isNew || !samePorts(egress.get(vlan)!, sw.egress.get(vlan) ?? EMPTY)) {
      out.push({ varbind: { oid: `${OID.dot1qVlanStaticEgressPorts}.${vlan}`, type: BER.OctetString, value: egress.get(vlan)! }, ports });
    }
    if (isNew || !samePorts(untagged.get(vlan)!, sw.untagged.get(vlan) ?? EMPTY)) {
      out.push({ varbind: { oid: `${OID.dot1qVlanStaticUntaggedPorts}.${vlan}`, type: BER.OctetString, value: untagged.get(vlan)! }, ports });
    }
  }
  return [...out, ...pvids];
}

/** The final networks of each port after its changes, starting from what the switch has. */
function targetsOf(sw: QBridgeState, group: Map<number, PortChange[]>, dummyVlan: number): Map<number, PortState> {
  const out = new Map<number, PortState>();
  for (const [bp, changes] of group) {
    const now = portVlansOf(sw, bp, dummyVlan);
    const state: PortState = { native: now.native, tagged: new Set(now.tagged) };
    for (const c of changes) applyToPort(state, c);
    out.set(bp, state);
  }
  return out;
}

/** A SET was sent and no answer came: it may have been applied. */
class SetUnanswered extends Error {}

class SnmpSession implements SwitchSession {
  private portNumbers: Promise<Map<string, number>> | null = null;
  /** Whether any SET of the current batch was sent. */
  private sent = false;

  constructor(private readonly client: SnmpClient, private readonly dummyVlan: number, private readonly portMap: Map<string, number> | null) {}

  /** Port name -> bridge port: the port_map, or ifName through dot1dBasePortIfIndex (read once per session). */
  private ports(): Promise<Map<string, number>> {
    if (this.portMap) return Promise.resolve(this.portMap);
    if (!this.portNumbers) {
      this.portNumbers = (async () => {
        const ifIndex = byIndex(await this.client.walk(OID.dot1dBasePortIfIndex, 'reading dot1dBasePortIfIndex'), asNumber);
        const names = byIndex(await this.client.walk(OID.ifName, 'reading ifName'), (vb) => asBuffer(vb)?.toString('utf8') ?? null);
        const out = new Map<string, number>();
        for (const [bp, index] of ifIndex) {
          const name = names.get(index);
          if (name !== undefined && !out.has(name)) out.set(name, bp);
        }
        return out;
      })();
      this.portNumbers.catch(() => { this.portNumbers = null; });
    }
    return this.portNumbers;
  }

  private unknownPort(name: string, known: Map<string, number>): string {
    if (this.portMap) return `port "${name}" is not in this switch's port_map`;
    const some = [...known.keys()].slice(0, 8).join(', ');
    return `the switch has no bridge port whose ifName is "${name}" (ifNames: ${some}${known.size > 8 ? ', ...' : ''})`;
  }

  private async read(): Promise<QBridgeState> {
    const egress = byIndex(await this.client.walk(OID.dot1qVlanStaticEgressPorts, 'reading dot1qVlanStaticEgressPorts'), asBuffer);
    const untagged = byIndex(await this.client.walk(OID.dot1qVlanStaticUntaggedPorts, 'reading dot1qVlanStaticUntaggedPorts'), asBuffer);
    const pvid = byIndex(await this.client.walk(OID.dot1qPvid, 'reading dot1qPvid'), asNumber);
    return { egress, untagged, pvid };
  }

  /** One SET; halved and sent in parts only if the agent answers tooBig. */
  private async send(plan: PlannedSet[]): Promise<void> {
    try {
      this.sent = true;
      await this.client.set(plan.map((p) => p.varbind), 'applying the changes');
    } catch (e) {
      if (e instanceof SnmpNoAnswerError) throw new SetUnanswered(e.message);
      if (!(e instanceof SnmpSetError) || e.status !== 'TooBig' || plan.length < 2) throw e;
      const half = Math.ceil(plan.length / 2);
      await this.send(plan.slice(0, half));
      await this.send(plan.slice(half));
    }
  }

  /**
   * Bring these ports to their changes in as few SETs as possible; a port the
   * agent refuses gets the agent's words in `errors`, the others still apply.
   */
  private async applyGroup(group: Map<number, PortChange[]>, errors: Map<number, string>, uncertain: Set<number>): Promise<void> {
    while (group.size > 0) {
      let plan: PlannedSet[] = [];
      try {
        const sw = await this.read();
        plan = planSets(sw, targetsOf(sw, group, this.dummyVlan), this.dummyVlan);
        if (plan.length === 0) return;
        await this.send(plan);
        return;
      } catch (e) {
        if (e instanceof SetUnanswered) {
          for (const bp of group.keys()) { errors.set(bp, e.message); uncertain.add(bp); }
          return;
        }
        if (e instanceof SnmpNoAnswerError && !this.sent) throw new SwitchUnreachableError(e.message);
        const culprit = e instanceof SnmpSetError ? plan.find((p) => p.varbind.oid === e.oid) : undefined;
        const suspects = culprit ? [...culprit.ports].filter((bp) => group.has(bp)) : [];
        if (suspects.length === 0) {
          for (const bp of group.keys()) errors.set(bp, messageOf(e));
          return;
        }
        if (suspects.length === 1) {
          errors.set(suspects[0]!, messageOf(e));
          group.delete(suspects[0]!);
          continue;
        }
        // Several ports share the refused object: the others first, then each suspect alone.
        const rest = new Map([...group].filter(([bp]) => !suspects.includes(bp)));
        await this.applyGroup(rest, errors, uncertain);
        for (const bp of suspects) await this.applyGroup(new Map([[bp, group.get(bp)!]]), errors, uncertain);
        return;
      }
    }
  }

  async applyBatch(changes: PortChange[]): Promise<ChangeResult[]> {
    if (changes.length === 0) return [];
    this.sent = false;
    let known: Map<string, number>;
    try { known = await this.ports(); } catch (e) {
      throw e instanceof SnmpNoAnswerError ? new SwitchUnreachableError(e.message) : e;
    }
    const byName = new Map<string, string>();
    const group = new Map<number, PortChange[]>();
    for (const c of changes) {
      if (byName.has(c.port)) continue;
      const bp = known.get(c.port);
      if (bp === undefined) { byName.set(c.port, this.unknownPort(c.port, known)); continue; }
      if (c.kind === 'modify' && c.vlan === this.dummyVlan) {
        byName.set(c.port, `VLAN ${c.vlan} is this switch's dummy_vlan (where ports on no network are parked); it cannot carry a network`);
        group.delete(bp);
        continue;
      }
      let list = group.get(bp);
      if (!list) group.set(bp, (list = []));
      list.push(c);
    }
    const errors = new Map<number, string>();
    const uncertain = new Set<number>();
    await this.applyGroup(group, errors, uncertain);
    return changes.map((c): ChangeResult => {
      const named = byName.get(c.port);
      if (named !== undefined) return { error: named };
      const bp = known.get(c.port)!;
      const e = errors.get(bp);
      return e === undefined ? null : uncertain.has(bp) ? { error: e, uncertain: true } : { error: e };
    });
  }

  async getPortNetworks(ports: string[]): Promise<Map<string, PortVlans>> {
    const known = await this.ports();
    const sw = await this.read();
    const out = new Map<string, PortVlans>();
    for (const p of ports) {
      const bp = known.get(p);
      out.set(p, bp === undefined ? { native: null, tagged: [], anomaly: this.unknownPort(p, known) } : portVlansOf(sw, bp, this.dummyVlan));
    }
    return out;
  }

  /**
   * Q-BRIDGE dot1qTpFdbTable (per filtering database, i.e. per VLAN on most
   * switches); an agent without it (an empty walk) is read through BRIDGE-MIB
   * dot1dTpFdbTable. Bridge port 0 (the switch itself, or unknown) is left out.
   */
  async macTable(): Promise<MacEntry[]> {
    const names = new Map([...await this.ports()].map(([name, bp]) => [bp, name]));
    const portName = (bp: number) => names.get(bp) ?? `bridge port ${bp}`;
    const out: MacEntry[] = [];
    const q = await this.client.walk(OID.dot1qTpFdbPort, 'reading dot1qTpFdbPort');
    for (const [suffix, vb] of q) {
      const idx = suffix.split('.').map(Number);
      const bp = asNumber(vb);
      if (idx.length !== 7 || bp === null || bp === 0) continue;
      out.push({ mac: macOfIndex(idx.slice(1)), vlan: idx[0]!, port: portName(bp) });
    }
    if (q.size > 0) return out;
    const d = await this.client.walk(OID.dot1dTpFdbPort, 'reading dot1dTpFdbPort');
    for (const [suffix, vb] of d) {
      const idx = suffix.split('.').map(Number);
      const bp = asNumber(vb);
      if (idx.length !== 6 || bp === null || bp === 0) continue;
      out.push({ mac: macOfIndex(idx), vlan: null, port: portName(bp) });
    }
    return out;
  }

  /**
   * Discovery: every bridge port (dot1dBasePortIfIndex, or the port_map's), named by its ifName
   * (or the port_map's name), with IF-MIB ifOperStatus (1 up, 2 down; testing, dormant and the
   * rest: unknown) and its Q-BRIDGE VLANs, in bridge port order.
   */
  async listInterfaces(): Promise<DiscoveredInterface[]> {
    try {
      const known = await this.ports();
      const ifIndex = byIndex(await this.client.walk(OID.dot1dBasePortIfIndex, 'reading dot1dBasePortIfIndex'), asNumber);
      const oper = byIndex(await this.client.walk(OID.ifOperStatus, 'reading ifOperStatus'), asNumber);
      const sw = await this.read();
      const linkOf = (bp: number): LinkState => {
        const status = oper.get(ifIndex.get(bp) ?? -1);
        return status === 1 ? 'up' : status === 2 ? 'down' : 'unknown';
      };
      return [...known].sort((a, b) => a[1] - b[1])
        .map(([name, bp]) => ({ name, link: linkOf(bp), vlans: portVlansOf(sw, bp, this.dummyVlan) }));
    } catch (e) {
      throw e instanceof SnmpNoAnswerError ? new SwitchUnreachableError(e.message) : e;
    }
  }

  async close(): Promise<void> { this.client.close(); }
}

/** A MAC address from the six sub-identifiers of a table index. */
function macOfIndex(octets: number[]): string {
  return octets.map((o) => (o & 0xff).toString(16).padStart(2, '0')).join(':');
}

/** The `snmp` driver: Q-BRIDGE-MIB over SNMP v2c or v3 authPriv. */
export function snmpSwitchDriver(opts: SwitchDriverOptions): SwitchDriver {
  return {
    name: 'snmp',
    module: 'snmp',
    capabilities: ['nativeless-trunk-mode'],
    fields: {
      hostname: { type: 'string', required: true },
      port: { type: 'integer', default: 161, min: 1, max: 65535 },
      version: { type: 'string', default: '2c' },
      community: { type: 'string', secret: true },
      user: { type: 'string' },
      auth_protocol: { type: 'string' },
      auth_key: { type: 'string', secret: true },
      priv_protocol: { type: 'string' },
      priv_key: { type: 'string', secret: true },
      dummy_vlan: { type: 'integer', required: true, min: 1, max: 4094 },
      port_map: { type: 'string' },
    },
    checkFields: checkSnmpFields,
    validatePortName(port) {
      if (!PORT_NAME.test(port)) throw new BadArgumentError(`Invalid port name "${port}" for an snmp switch (the port's ifName: no spaces)`);
    },
    connect(_label, fields): SwitchSession {
      const portMap = fields.port_map !== undefined ? parsePortMap(String(fields.port_map)) : null;
      return new SnmpSession(new SnmpClient(targetOf(fields), opts.callTimeoutMs), Number(fields.dummy_vlan), portMap);
    },
  };
}
