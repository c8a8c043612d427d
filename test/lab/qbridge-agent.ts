// Lab fixture: a switch's SNMP management plane. A net-snmp agent on
// 127.0.0.1 (random UDP port) serves a writable Q-BRIDGE-MIB
// (dot1qVlanStaticTable, dot1qPvid) and the BRIDGE-MIB/IF-MIB port naming
// and link (dot1dBasePortIfIndex, ifName, ifOperStatus) over v2c and v3 authPriv (SHA/AES), and
// optionally a forwarding table (Q-BRIDGE dot1qTpFdbTable or BRIDGE-MIB
// dot1dTpFdbTable, as the test chooses). After
// every SET it works out each port's networks and hands the changed ones to
// `apply` (e.g. `ovsApplier(lab)`: the OVS lab bridge), so packets follow
// what the agent was told. Like a real switch it refuses a PVID naming a
// VLAN that does not exist and bitmaps naming ports it does not have.
//
// net-snmp agent bugs worked around here (see LAB.md):
//  - OCTET STRING SET values go through Buffer.toString(): PortList bytes are
//    mangled. castSetValue is patched to leave Buffers alone.
//  - a table indexed by another table's column (dot1qVlanIndex lives in
//    dot1qVlanCurrentTable) crashes on RowStatus create: the index is a
//    local not-accessible column instead, and a created row's RowStatus
//    (left at createAndGo) is set to active after the SET.
//  - the handler runs twice per SET (test, then commit): effects come from
//    comparing each port's networks with what was last applied, once the
//    last object of the SET is committed.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import snmp, { type Agent, type Mib, type MibRequest, type VarbindValue } from 'net-snmp';
import { onCleanup } from './netns.js';
import type { OvsLab } from './ovs.js';

/** A port's networks as the agent's tables say: untagged member of its PVID VLAN, and tagged VLANs. */
export interface QBridgePortVlans { native: number | null; tagged: number[] }

/** A port's raw Q-BRIDGE configuration. */
export interface QBridgePortConfig { pvid: number; untagged: number[]; tagged: number[] }

export interface QBridgeAgentOptions {
  /** ifName of each bridge port, in bridge port order (ifIndex = 1000 + bridge port). */
  ports: string[];
  /** VLAN rows that exist from the start, besides VLAN 1. */
  vlans?: number[];
  /** The PVID every port starts with, on no VLAN (default 1). */
  pvid?: number;
  /** Called after a SET for each port whose networks changed. */
  apply?: (port: string, vlans: QBridgePortVlans) => void;
  /** The forwarding table to serve: learned MACs (`aa:bb:cc:dd:ee:ff`) with their VLAN and port (an ifName of `ports`, or a bridge port number), in Q-BRIDGE's dot1qTpFdbTable or (an older agent) only BRIDGE-MIB's dot1dTpFdbTable. */
  fdb?: { table: 'qbridge' | 'bridge'; entries: Array<{ mac: string; vlan: number; port: string | number }> };
}

/** A running agent. */
export interface QBridgeAgent {
  host: string;
  port: number;
  community: string;
  v3: { user: string; authKey: string; privKey: string };
  /** SET requests the agent has accepted or refused. */
  readonly setRequests: number;
  /** One port's PVID and VLAN memberships. */
  config(port: string): QBridgePortConfig;
  /** One port's networks (what `apply` was last given). */
  networks(port: string): QBridgePortVlans;
  /** Change a port behind the manager's back (drift, factory defaults). */
  setConfig(port: string, config: QBridgePortConfig): void;
  /** Set a port's IF-MIB ifOperStatus (every port starts up). */
  setLink(port: string, up: boolean): void;
  /** Stop answering (the UDP port is closed); the cleanup also runs at exit. */
  stop(): void;
}

const Q = '1.3.6.1.2.1.17.7.1.4';
const VLAN_TABLE = 'dot1qVlanStaticTable';
const PVID_TABLE = 'dot1qPortVlanTable';
const BASE_PORT_TABLE = 'dot1dBasePortTable';
const IFX_TABLE = 'ifXTable';
const IF_TABLE = 'ifTable';
const OPER = { up: 1, down: 2 } as const;
const COL = { egress: 2, untagged: 4, rowStatus: 5 } as const;
const ROW = { active: 1, notInService: 2, createAndGo: 4, createAndWait: 5 } as const;

let castPatched = false;
function patchCastSetValue(): void {
  if (castPatched) return;
  castPatched = true;
  const cast = snmp.ObjectTypeUtil.castSetValue;
  snmp.ObjectTypeUtil.castSetValue = (type, value, constraints) =>
    (type === snmp.ObjectType.OctetString && Buffer.isBuffer(value) ? value : cast(type, value, constraints));
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((res, rej) => { s.once('error', rej); s.bind(0, '127.0.0.1', () => res()); });
  const port = s.address().port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

const bit = (list: Buffer, port: number) => ((list[(port - 1) >> 3] ?? 0) & (0x80 >> ((port - 1) & 7))) !== 0;
function listOf(ports: number[], width: number): Buffer {
  const b = Buffer.alloc(width);
  for (const p of ports) b[(p - 1) >> 3]! |= 0x80 >> ((p - 1) & 7);
  return b;
}
const asBuffer = (v: VarbindValue | undefined): Buffer => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));

function registerTables(mib: Mib, handler: (r: MibRequest) => void): void {
  const { Table } = snmp.MibProviderType;
  const access = snmp.MaxAccess;
  const t = snmp.ObjectType;
  mib.registerProvider({
    name: VLAN_TABLE, type: Table, oid: `${Q}.3.1`, maxAccess: access['not-accessible']!, handler,
    tableColumns: [
      { number: 0, name: 'dot1qVlanIndex', type: t.Gauge, maxAccess: access['not-accessible']! },
      { number: 1, name: 'dot1qVlanStaticName', type: t.OctetString, maxAccess: access['read-create']!, defVal: '' },
      { number: 2, name: 'dot1qVlanStaticEgressPorts', type: t.OctetString, maxAccess: access['read-create']!, defVal: Buffer.alloc(0) },
      { number: 3, name: 'dot1qVlanForbiddenEgressPorts', type: t.OctetString, maxAccess: access['read-create']!, defVal: Buffer.alloc(0) },
      { number: 4, name: 'dot1qVlanStaticUntaggedPorts', type: t.OctetString, maxAccess: access['read-create']!, defVal: Buffer.alloc(0) },
      { number: 5, name: 'dot1qVlanStaticRowStatus', type: t.Integer, maxAccess: access['read-create']!, rowStatus: true },
    ],
    tableIndex: [{ columnName: 'dot1qVlanIndex' }],
  });
  mib.registerProvider({
    name: PVID_TABLE, type: Table, oid: `${Q}.5.1`, maxAccess: access['not-accessible']!, handler,
    tableColumns: [
      { number: 0, name: 'dot1dBasePort', type: t.Integer, maxAccess: access['not-accessible']! },
      { number: 1, name: 'dot1qPvid', type: t.Gauge, maxAccess: access['read-write']! },
    ],
    tableIndex: [{ columnName: 'dot1dBasePort' }],
  });
  mib.registerProvider({
    name: BASE_PORT_TABLE, type: Table, oid: '1.3.6.1.2.1.17.1.4.1', maxAccess: access['not-accessible']!,
    tableColumns: [
      { number: 1, name: 'dot1dBasePort', type: t.Integer, maxAccess: access['read-only']! },
      { number: 2, name: 'dot1dBasePortIfIndex', type: t.Integer, maxAccess: access['read-only']! },
    ],
    tableIndex: [{ columnName: 'dot1dBasePort' }],
  });
  mib.registerProvider({
    name: IFX_TABLE, type: Table, oid: '1.3.6.1.2.1.31.1.1.1', maxAccess: access['not-accessible']!,
    tableColumns: [
      { number: 0, name: 'ifIndex', type: t.Integer, maxAccess: access['not-accessible']! },
      { number: 1, name: 'ifName', type: t.OctetString, maxAccess: access['read-only']! },
    ],
    tableIndex: [{ columnName: 'ifIndex' }],
  });
  mib.registerProvider({
    name: IF_TABLE, type: Table, oid: '1.3.6.1.2.1.2.2.1', maxAccess: access['not-accessible']!,
    tableColumns: [
      { number: 1, name: 'ifIndex', type: t.Integer, maxAccess: access['read-only']! },
      { number: 8, name: 'ifOperStatus', type: t.Integer, maxAccess: access['read-only']! },
    ],
    tableIndex: [{ columnName: 'ifIndex' }],
  });
}

/** The VLAN id (or bridge port) and column of an instance OID under `base`, or null. */
function instanceOf(oid: string, base: string): { column: number; index: number } | null {
  if (!oid.startsWith(base + '.')) return null;
  const [column, index, ...rest] = oid.slice(base.length + 1).split('.').map(Number);
  return column === undefined || index === undefined || rest.length ? null : { column, index };
}

/** Start an agent serving these ports. */
export async function startQBridgeAgent(opts: QBridgeAgentOptions): Promise<QBridgeAgent> {
  patchCastSetValue();
  const port = await freeUdpPort();
  const community = `c-${randomBytes(4).toString('hex')}`;
  const v3 = { user: 'haas', authKey: `auth-${randomBytes(6).toString('hex')}`, privKey: `priv-${randomBytes(6).toString('hex')}` };
  const agent: Agent = snmp.createAgent({ port, address: '127.0.0.1', engineID: `8000B98380${randomBytes(12).toString('hex')}` }, () => {
    // Authentication failures and undecodable packets land here: the agent drops them, as switches do.
  });
  agent.getAuthorizer().addCommunity(community);
  agent.getAuthorizer().addUser({
    name: v3.user, level: snmp.SecurityLevel.authPriv,
    authProtocol: snmp.AuthProtocols.sha, authKey: v3.authKey,
    privProtocol: snmp.PrivProtocols.aes, privKey: v3.privKey,
  });
  const mib = agent.getMib();
  const width = Math.ceil(opts.ports.length / 8);
  const bridgePort = (name: string) => {
    const i = opts.ports.indexOf(name);
    if (i < 0) throw new Error(`qbridge agent: no port ${name}`);
    return i + 1;
  };
  let setRequests = 0;
  let pdu: MibRequest[] = [];
  let commitsLeft = 0;
  const applied = new Map<string, string>();

  const vlanRows = () => new Map(mib.getTableCells(VLAN_TABLE, true, true).map((row) => {
    const index = (row[0] as unknown as number[])[0]!;
    return [index, { egress: asBuffer(row[2] as VarbindValue), untagged: asBuffer(row[4] as VarbindValue), status: row[5] as number }] as const;
  }));
  const pvidOf = (bp: number) => Number(mib.getTableSingleCell(PVID_TABLE, 1, [bp]));

  function config(name: string): QBridgePortConfig {
    const bp = bridgePort(name);
    const out: QBridgePortConfig = { pvid: pvidOf(bp), untagged: [], tagged: [] };
    for (const [vlan, r] of [...vlanRows()].sort((a, b) => a[0] - b[0])) {
      if (!bit(r.egress, bp)) continue;
      (bit(r.untagged, bp) ? out.untagged : out.tagged).push(vlan);
    }
    return out;
  }
  function networks(name: string): QBridgePortVlans {
    const c = config(name);
    return { native: c.untagged.includes(c.pvid) ? c.pvid : null, tagged: c.tagged };
  }
  /** Settle created rows and hand every port whose networks changed to `apply`. */
  function sync(): void {
    for (const [vlan, r] of vlanRows()) {
      if (r.status === ROW.createAndGo) mib.setTableSingleCell(VLAN_TABLE, COL.rowStatus, [vlan], ROW.active);
      if (r.status === ROW.createAndWait) mib.setTableSingleCell(VLAN_TABLE, COL.rowStatus, [vlan], ROW.notInService);
    }
    for (const name of opts.ports) {
      const now = networks(name);
      const key = JSON.stringify(now);
      if (applied.get(name) === key) continue;
      applied.set(name, key);
      opts.apply?.(name, now);
    }
  }

  /** Test phase of a SET: refuse what a real switch would, seeing the whole request. */
  function check(r: MibRequest): number | null {
    const err = snmp.ErrorStatus;
    const vlan = instanceOf(r.oid, `${Q}.3.1`);
    if (vlan && (vlan.column === COL.egress || vlan.column === COL.untagged)) {
      const list = asBuffer(r.setValue);
      for (let p = opts.ports.length + 1; p <= list.length * 8; p++) if (bit(list, p)) return err.WrongValue!;
    }
    const pv = instanceOf(r.oid, `${Q}.5.1`);
    if (pv) {
      const want = Number(r.setValue);
      if (!(want >= 1 && want <= 4094)) return err.WrongValue!;
      const created = pdu.some((o) => o.oid === `${Q}.3.1.${COL.rowStatus}.${want}` && (o.setValue === ROW.createAndGo || o.setValue === ROW.createAndWait));
      if (!created && !vlanRows().has(want)) return err.InconsistentValue!;
    }
    return null;
  }

  registerTables(mib, (r) => {
    if (r.testSet) {
      const status = check(r);
      r.done(status === null ? undefined : { errorStatus: status });
      return;
    }
    r.done();
    // After the last object of a SET is committed, in the same tick as the
    // response: nothing in this process runs before the lab follows it.
    if (r.commitSet && --commitsLeft === 0) sync();
  });
  agentBulk(agent, (requests, testSet) => {
    if (testSet) { setRequests += 1; pdu = requests; } else commitsLeft = requests.length;
  });

  mib.addTableRow(VLAN_TABLE, [1, 'default', Buffer.alloc(width), Buffer.alloc(width), Buffer.alloc(width), ROW.active]);
  for (const v of opts.vlans ?? []) {
    if (v !== 1) mib.addTableRow(VLAN_TABLE, [v, `vlan${v}`, Buffer.alloc(width), Buffer.alloc(width), Buffer.alloc(width), ROW.active]);
  }
  opts.ports.forEach((name, i) => {
    mib.addTableRow(PVID_TABLE, [i + 1, opts.pvid ?? 1]);
    mib.addTableRow(BASE_PORT_TABLE, [i + 1, 1001 + i]);
    mib.addTableRow(IFX_TABLE, [1001 + i, name]);
    mib.addTableRow(IF_TABLE, [1001 + i, OPER.up]);
  });
  for (const name of opts.ports) applied.set(name, JSON.stringify(networks(name)));
  if (opts.fdb) serveFdb(mib, opts.fdb, (p) => (typeof p === 'number' ? p : bridgePort(p)));

  const close = onCleanup(() => agent.close());
  return {
    host: '127.0.0.1', port, community, v3,
    get setRequests() { return setRequests; },
    config, networks,
    setConfig(name, c) {
      const bp = bridgePort(name);
      mib.setTableSingleCell(PVID_TABLE, 1, [bp], c.pvid);
      for (const vlan of new Set([...vlanRows().keys(), ...c.untagged, ...c.tagged])) {
        const rows = vlanRows();
        if (!rows.has(vlan)) mib.addTableRow(VLAN_TABLE, [vlan, `vlan${vlan}`, Buffer.alloc(width), Buffer.alloc(width), Buffer.alloc(width), ROW.active]);
        const r = vlanRows().get(vlan)!;
        const member = c.untagged.includes(vlan) || c.tagged.includes(vlan);
        const eg = opts.ports.map((_, i) => i + 1).filter((p) => (p === bp ? member : bit(r.egress, p)));
        const un = opts.ports.map((_, i) => i + 1).filter((p) => (p === bp ? c.untagged.includes(vlan) : bit(r.untagged, p)));
        mib.setTableSingleCell(VLAN_TABLE, COL.egress, [vlan], listOf(eg, width));
        mib.setTableSingleCell(VLAN_TABLE, COL.untagged, [vlan], listOf(un, width));
      }
      sync();
    },
    setLink(name, up) { mib.setTableSingleCell(IF_TABLE, 8, [1000 + bridgePort(name)], up ? OPER.up : OPER.down); },
    stop: close,
  };
}

/** Register and fill the forwarding table: Q-BRIDGE indexes it by (dot1qFdbId = VLAN, MAC), BRIDGE-MIB by MAC alone. */
function serveFdb(mib: Mib, fdb: NonNullable<QBridgeAgentOptions['fdb']>, bridgePort: (p: string | number) => number): void {
  const { Table } = snmp.MibProviderType;
  const access = snmp.MaxAccess;
  const t = snmp.ObjectType;
  const LEARNED = 3;
  const mac = (m: string) => Buffer.from(m.replace(/[^0-9a-f]/gi, ''), 'hex');
  if (fdb.table === 'qbridge') {
    mib.registerProvider({
      name: 'dot1qTpFdbTable', type: Table, oid: '1.3.6.1.2.1.17.7.1.2.2.1', maxAccess: access['not-accessible']!,
      tableColumns: [
        { number: 0, name: 'dot1qFdbId', type: t.Gauge, maxAccess: access['not-accessible']! },
        { number: 1, name: 'dot1qTpFdbAddress', type: t.OctetString, maxAccess: access['not-accessible']! },
        { number: 2, name: 'dot1qTpFdbPort', type: t.Integer, maxAccess: access['read-only']! },
        { number: 3, name: 'dot1qTpFdbStatus', type: t.Integer, maxAccess: access['read-only']! },
      ],
      tableIndex: [{ columnName: 'dot1qFdbId' }, { columnName: 'dot1qTpFdbAddress', length: 6 }],
    });
    for (const e of fdb.entries) mib.addTableRow('dot1qTpFdbTable', [e.vlan, mac(e.mac), bridgePort(e.port), LEARNED]);
  } else {
    mib.registerProvider({
      name: 'dot1dTpFdbTable', type: Table, oid: '1.3.6.1.2.1.17.4.3.1', maxAccess: access['not-accessible']!,
      tableColumns: [
        { number: 1, name: 'dot1dTpFdbAddress', type: t.OctetString, maxAccess: access['read-only']! },
        { number: 2, name: 'dot1dTpFdbPort', type: t.Integer, maxAccess: access['read-only']! },
        { number: 3, name: 'dot1dTpFdbStatus', type: t.Integer, maxAccess: access['read-only']! },
      ],
      tableIndex: [{ columnName: 'dot1dTpFdbAddress', length: 6 }],
    });
    // BRIDGE-MIB has one entry per MAC: the last one given wins.
    for (const e of fdb.entries) mib.addTableRow('dot1dTpFdbTable', [mac(e.mac), bridgePort(e.port), LEARNED]);
  }
}

/** net-snmp's bulk SET hook (called once per phase with every varbind's request). */
function agentBulk(agent: Agent, hook: (requests: MibRequest[], testSet: boolean) => void): void {
  agent.setBulkSetHandler((requests, _mib, testSet) => { hook(requests, testSet); return snmp.ErrorStatus.NoError!; });
}

/** An `apply` that gives the OVS lab port of the same name these networks (no network: isolated as the ovs driver does). */
export function ovsApplier(lab: OvsLab): (port: string, vlans: QBridgePortVlans) => void {
  return (port, { native, tagged }) => {
    if (native !== null) {
      lab.vsctl('set', 'port', port, `tag=${native}`, `vlan_mode=${tagged.length ? 'native-untagged' : 'access'}`, `trunks=[${tagged.join(',')}]`, 'protected=false');
    } else {
      const isolated = tagged.length === 0;
      lab.vsctl('clear', 'port', port, 'tag', '--', 'set', 'port', port, 'vlan_mode=trunk', `trunks=[${isolated ? 4095 : tagged.join(',')}]`, `protected=${isolated}`);
    }
  };
}

/** The PDU tag of an SNMP v1/v2c message (0xa3: SetRequest, 0xa2: Response), or null if it cannot be read. */
function pduTag(msg: Buffer): number | null {
  let i = 0;
  const skipHeader = (): number | null => { // returns the content length, leaves i at the content
    i += 1;
    const first = msg[i++];
    if (first === undefined) return null;
    if (first < 0x80) return first;
    let len = 0;
    for (let n = first & 0x7f; n > 0; n--) len = (len << 8) | (msg[i++] ?? 0);
    return len;
  };
  if (msg[0] !== 0x30 || skipHeader() === null) return null;
  for (let field = 0; field < 2; field++) { // version, community
    const len = skipHeader();
    if (len === null) return null;
    i += len;
  }
  return msg[i] ?? null;
}

/** A UDP front of an agent that can lose SETs or their answers (v2c), or everything, as a lossy network does. */
export interface LossyFront {
  port: number;
  /** `set-answer`: SETs reach the agent but their answers are lost; `set`: SETs are lost; `all`: every datagram; null: nothing is lost. */
  lose(what: 'set-answer' | 'set' | 'all' | null): void;
  stop(): void;
}

/** Start a lossy front on 127.0.0.1 (random port) for the agent at `agentPort`. */
export async function startLossyFront(agentPort: number): Promise<LossyFront> {
  const front = createSocket('udp4');
  await new Promise<void>((res, rej) => { front.once('error', rej); front.bind(0, '127.0.0.1', () => res()); });
  let losing: 'set-answer' | 'set' | 'all' | null = null;
  // One upstream socket per client address, so answers find their way back.
  const upstreams = new Map<string, { sock: ReturnType<typeof createSocket>; loseNextAnswer: boolean }>();
  front.on('message', (msg, from) => {
    if (losing === 'all') return;
    const isSet = pduTag(msg) === 0xa3;
    if (isSet && losing === 'set') return;
    const key = `${from.address}:${from.port}`;
    let up = upstreams.get(key);
    if (!up) {
      const sock = createSocket('udp4');
      const entry = { sock, loseNextAnswer: false };
      sock.on('message', (answer) => {
        if (losing === 'all' || entry.loseNextAnswer) { entry.loseNextAnswer = false; return; }
        front.send(answer, from.port, from.address);
      });
      upstreams.set(key, (up = entry));
    }
    up.loseNextAnswer = isSet && losing === 'set-answer';
    up.sock.send(msg, agentPort, '127.0.0.1');
  });
  const stop = onCleanup(() => {
    for (const u of upstreams.values()) u.sock.close();
    front.close();
  });
  return { port: front.address().port, lose: (what) => { losing = what; }, stop };
}
