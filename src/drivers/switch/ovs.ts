// Open vSwitch through ovs-vsctl, run locally or over SSH (`hostname` set).
// A port's networks map to OVSDB columns:
//   native N only         tag=N vlan_mode=access trunks=[]
//   native N + tagged T   tag=N vlan_mode=native-untagged trunks=T
//   tagged T only         tag=[] vlan_mode=trunk trunks=T
//   no network            tag=[] vlan_mode=trunk trunks=4095 protected=true
// An untagged port with no tag talks to every other such port, and a trunk
// with empty trunks carries every VLAN, so "no network" is explicit: only
// frames tagged 4095 are accepted, and `protected` stops those between
// isolated ports. A batch of changes is one ovs-vsctl transaction.
// OVSDB transactions are atomic: ovs-vsctl exiting with an error applied
// nothing; a transaction whose ovs-vsctl died (signal, timeout) or whose
// SSH session dropped before it answered may have been applied (uncertain).
import { execFile } from 'node:child_process';
import { BadArgumentError, messageOf } from '../../errors.js';
import type { FieldValues } from '../fields.js';
import { shellQuote } from '../shell-quote.js';
import { SshLink, type ExecResult } from './ssh.js';
import { SwitchUnreachableError, type ChangeResult, type HostKeyPolicy, type MacEntry, type PortChange, type PortVlans, type SwitchDriver, type SwitchDriverOptions, type SwitchSession, type DiscoveredInterface, type LinkState } from './types.js';
import { applyToPort, type PortState } from './vlan-state.js';

/** OVS port names as ovs-vsctl and Linux accept them (interface names: at most 15 characters). */
export const OVS_PORT = /^[A-Za-z0-9_.:-]{1,15}$/;

/** The VLAN no network uses: trunking only it (plus `protected`) isolates a port. */
const PARKING_VLAN = 4095;

/** One port row as `list port` reports it. */
interface PortRow { uuid: string; name: string; tag: number | null; trunks: number[]; vlanMode: string | null; protected: boolean }

/** Runs ovs-vsctl with arguments and returns what it printed (`code` null: it died before it finished). */
interface Vsctl {
  /** Rejects with SwitchUnreachableError when the command could not be sent; any other rejection came after sending it. */
  run(args: string[]): Promise<ExecResult>;
  /** The same for ovs-appctl (commands to ovs-vswitchd itself, e.g. `fdb/show`). */
  appctl(args: string[]): Promise<ExecResult>;
  close(): Promise<void>;
}

function localTool(tool: string, timeoutMs: number): (args: string[]) => Promise<ExecResult> {
  return (args) => new Promise((resolve, reject) => {
    execFile(tool, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error(`${tool} is not installed on the haas host`));
      if (err && err.killed) return resolve({ code: null, stdout, stderr: `${tool} did not finish within ${timeoutMs / 1000} s` });
      if (err && err.signal) return resolve({ code: null, stdout, stderr: stderr || `${tool} was killed by ${err.signal}` });
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function localVsctl(timeoutMs: number): Vsctl {
  return { run: localTool('ovs-vsctl', timeoutMs), appctl: localTool('ovs-appctl', timeoutMs), close: async () => {} };
}

function sshVsctl(fields: FieldValues, timeoutMs: number, hostKey: HostKeyPolicy | undefined): Vsctl {
  const link = new SshLink({
    host: String(fields.hostname),
    port: Number(fields.port ?? 22),
    username: String(fields.username),
    ...(fields.password !== undefined ? { password: String(fields.password) } : {}),
    ...(fields.private_key !== undefined ? { privateKey: String(fields.private_key) } : {}),
    ...(hostKey !== undefined ? { hostKey } : {}),
  }, timeoutMs);
  const remote = (tool: string) => async (args: string[]) => {
    let conn;
    try { conn = await link.connection(); } catch (e) { throw new SwitchUnreachableError(messageOf(e)); }
    return conn.exec([tool, ...args].map(shellQuote).join(' '), timeoutMs);
  };
  return { run: remote('ovs-vsctl'), appctl: remote('ovs-appctl'), close: () => link.close() };
}

/** The members of an OVSDB JSON set (a single member is sent bare). */
function members(v: unknown): unknown[] {
  if (Array.isArray(v) && v[0] === 'set' && Array.isArray(v[1])) return v[1];
  if (Array.isArray(v) && v[0] === 'uuid') return [v];
  return [v];
}

function uuidOf(v: unknown): string {
  return Array.isArray(v) && v[0] === 'uuid' ? String(v[1]) : '';
}

/** Parse the two JSON tables of the read command: the bridge's port uuids, then every port row. */
function parseListing(stdout: string): { bridgePorts: Set<string>; rows: Map<string, PortRow> } {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 2) throw new Error(`unexpected ovs-vsctl output: ${stdout.slice(0, 200)}`);
  const bridge = JSON.parse(lines[0]!) as { data: unknown[][] };
  const ports = JSON.parse(lines[1]!) as { data: unknown[][] };
  const bridgePorts = new Set(members(bridge.data[0]?.[0]).map(uuidOf));
  const rows = new Map<string, PortRow>();
  for (const [uuid, name, tag, trunks, vlanMode, prot] of ports.data) {
    const t = members(tag);
    const m = members(vlanMode);
    rows.set(String(name), {
      uuid: uuidOf(uuid), name: String(name),
      tag: typeof t[0] === 'number' ? t[0] : null,
      trunks: members(trunks).filter((x): x is number => typeof x === 'number').sort((a, b) => a - b),
      vlanMode: typeof m[0] === 'string' ? m[0] : null,
      protected: prot === true,
    });
  }
  return { bridgePorts, rows };
}

/**
 * Discovery reads a third table beside the two of parseListing: `--columns=name,link_state list
 * interface` (OVSDB Interface.link_state: "up", "down", or empty when the datapath does not say).
 * Returns each interface's link by name.
 */
function parseLinkStates(line: string): Map<string, LinkState> {
  const table = JSON.parse(line) as { data: unknown[][] };
  const out = new Map<string, LinkState>();
  for (const [name, state] of table.data) {
    const s = members(state)[0];
    out.set(String(name), s === 'up' || s === 'down' ? s : 'unknown');
  }
  return out;
}

/** What a port row means in networks, with an anomaly when it is not a shape this driver writes. */
function vlansOfRow(r: PortRow): PortVlans {
  const mode = r.vlanMode ?? (r.tag !== null ? 'access' : 'trunk');
  const tagged = r.trunks.filter((v) => v !== PARKING_VLAN);
  const parked = r.trunks.includes(PARKING_VLAN);
  const out: PortVlans = { native: null, tagged: [] };
  if (mode === 'access') {
    out.native = r.tag;
    if (r.tag === null) out.anomaly = 'access port without a tag: talks to every untagged port';
  } else if (mode === 'trunk') {
    out.tagged = tagged;
    if (r.trunks.length === 0 && r.vlanMode === null) out.anomaly = 'no VLAN configuration: talks to every other such port, on every VLAN';
    else if (r.trunks.length === 0) out.anomaly = 'trunk with empty trunks: carries every VLAN';
    else if (parked && tagged.length > 0) out.anomaly = `trunks ${PARKING_VLAN} beside networks`;
    else if (parked && !r.protected) out.anomaly = `trunk of VLAN ${PARKING_VLAN} without protected=true: talks to other such ports`;
  } else if (mode === 'native-untagged') {
    out.native = r.tag;
    out.tagged = tagged;
    if (r.trunks.length === 0) out.anomaly = 'native-untagged with empty trunks: carries every VLAN';
    else if (r.tag === null) out.anomaly = 'native-untagged without a tag: untagged frames join VLAN 0';
  } else {
    out.native = r.tag;
    out.tagged = tagged;
    out.anomaly = `vlan_mode=${mode}`;
  }
  return out;
}

/** The ovs-vsctl commands that give a port exactly these networks. */
function portCommands(port: string, s: PortState): string[][] {
  const trunks = [...s.tagged].sort((a, b) => a - b);
  if (s.native !== null) {
    return [['set', 'port', port, `tag=${s.native}`, `vlan_mode=${trunks.length ? 'native-untagged' : 'access'}`,
      `trunks=[${trunks.join(',')}]`, 'protected=false']];
  }
  const isolated = trunks.length === 0;
  return [
    ['clear', 'port', port, 'tag'],
    ['set', 'port', port, 'vlan_mode=trunk', `trunks=[${isolated ? PARKING_VLAN : trunks.join(',')}]`, `protected=${isolated}`],
  ];
}

function transaction(timeoutS: number, ports: Map<string, PortState>): string[] {
  const args = [`--timeout=${timeoutS}`];
  for (const [port, state] of ports) for (const cmd of portCommands(port, state)) args.push('--', ...cmd);
  return args;
}

function failureText(r: ExecResult): string {
  const why = r.code === null ? 'ovs-vsctl died before it answered' : `ovs-vsctl exited with status ${r.code}`;
  return (r.stderr.trim() || r.stdout.trim() || why).replace(/\s+/g, ' ');
}

class OvsSession implements SwitchSession {
  private readonly timeoutS: number;

  constructor(private readonly bridge: string, private readonly vsctl: Vsctl, callTimeoutMs: number) {
    // ovs-vsctl gives up (with its own message) just before the call's timeout.
    this.timeoutS = Math.max(1, Math.floor(callTimeoutMs / 1000) - 1);
  }

  private async listing() {
    const r = await this.vsctl.run(['--format=json', `--timeout=${this.timeoutS}`,
      '--', '--columns=ports', 'list', 'bridge', this.bridge,
      '--', '--columns=_uuid,name,tag,trunks,vlan_mode,protected', 'list', 'port']);
    if (r.code !== 0) throw new Error(failureText(r));
    return parseListing(r.stdout);
  }

  async applyBatch(changes: PortChange[]): Promise<ChangeResult[]> {
    if (changes.length === 0) return [];
    let listed: Awaited<ReturnType<OvsSession['listing']>>;
    try { listed = await this.listing(); } catch (e) {
      // Only read so far: nothing was applied.
      if (e instanceof SwitchUnreachableError) throw e;
      return changes.map(() => ({ error: messageOf(e) }));
    }
    const { bridgePorts, rows } = listed;
    // The final state of each touched port, applying the changes in order.
    const targets = new Map<string, PortState>();
    const errors = new Map<string, string>();
    for (const c of changes) {
      if (errors.has(c.port)) continue;
      let state = targets.get(c.port);
      if (!state) {
        const row = rows.get(c.port);
        if (row && !bridgePorts.has(row.uuid)) { errors.set(c.port, `port "${c.port}" is not on bridge "${this.bridge}"`); continue; }
        // A port missing from OVS stays in the transaction: ovs-vsctl says what is wrong in its own words.
        const now = row ? vlansOfRow(row) : { native: null, tagged: [] };
        state = { native: now.native, tagged: new Set(now.tagged) };
        targets.set(c.port, state);
      }
      applyToPort(state, c);
    }
    // One transaction; when ovs-vsctl rejects a port, report it and retry without it.
    const uncertain = new Set<string>();
    while (targets.size > 0) {
      let r: ExecResult;
      try { r = await this.vsctl.run(transaction(this.timeoutS, targets)); } catch (e) {
        if (!(e instanceof SwitchUnreachableError)) for (const port of targets.keys()) uncertain.add(port);
        for (const port of targets.keys()) errors.set(port, messageOf(e));
        break;
      }
      if (r.code === 0) break;
      const msg = failureText(r);
      if (r.code === null) {
        for (const port of targets.keys()) { errors.set(port, msg); uncertain.add(port); }
        break;
      }
      const bad = /no row "([^"]+)" in table Port/.exec(msg)?.[1];
      if (bad !== undefined && targets.has(bad)) {
        targets.delete(bad);
        errors.set(bad, msg);
        continue;
      }
      for (const port of targets.keys()) errors.set(port, msg);
      targets.clear();
    }
    return changes.map((c): ChangeResult => {
      const e = errors.get(c.port);
      return e === undefined ? null : uncertain.has(c.port) ? { error: e, uncertain: true } : { error: e };
    });
  }

  async getPortNetworks(ports: string[]): Promise<Map<string, PortVlans>> {
    const { bridgePorts, rows } = await this.listing();
    const out = new Map<string, PortVlans>();
    for (const p of ports) {
      const row = rows.get(p);
      if (!row || !bridgePorts.has(row.uuid)) out.set(p, { native: null, tagged: [], anomaly: `no port "${p}" on bridge "${this.bridge}"` });
      else out.set(p, vlansOfRow(row));
    }
    return out;
  }

  async macTable(): Promise<MacEntry[]> {
    const fdb = await this.vsctl.appctl([`--timeout=${this.timeoutS}`, 'fdb/show', this.bridge]);
    if (fdb.code !== 0) throw new Error(`ovs-appctl fdb/show ${this.bridge}: ${failureText(fdb)}`);
    const ports = await this.vsctl.run(['--format=json', `--timeout=${this.timeoutS}`,
      '--', '--columns=name,interfaces', 'list', 'port', '--', '--columns=_uuid,ofport', 'list', 'interface']);
    if (ports.code !== 0) throw new Error(failureText(ports));
    return parseFdbShow(fdb.stdout, ofportNames(ports.stdout));
  }

  async listInterfaces(): Promise<DiscoveredInterface[]> {
    const r = await this.vsctl.run(['--format=json', `--timeout=${this.timeoutS}`,
      '--', '--columns=ports', 'list', 'bridge', this.bridge,
      '--', '--columns=_uuid,name,tag,trunks,vlan_mode,protected', 'list', 'port',
      '--', '--columns=name,link_state', 'list', 'interface']);
    if (r.code !== 0) throw new Error(failureText(r));
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
    if (lines.length !== 3) throw new Error(`unexpected ovs-vsctl output: ${r.stdout.slice(0, 200)}`);
    const { bridgePorts, rows } = parseListing(`${lines[0]}\n${lines[1]}`);
    const links = parseLinkStates(lines[2]!);
    // The bridge's own internal port is the switch itself, not a place to cable a node.
    return [...rows.values()]
      .filter((row) => bridgePorts.has(row.uuid) && row.name !== this.bridge)
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
      .map((row) => ({ name: row.name, link: links.get(row.name) ?? 'unknown', vlans: vlansOfRow(row) }));
  }

  close(): Promise<void> { return this.vsctl.close(); }
}

/** OpenFlow port number -> port name, from the JSON of `list port` (name, interfaces) and `list interface` (_uuid, ofport). */
function ofportNames(stdout: string): Map<number, string> {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 2) throw new Error(`unexpected ovs-vsctl output: ${stdout.slice(0, 200)}`);
  const ports = JSON.parse(lines[0]!) as { data: unknown[][] };
  const ifaces = JSON.parse(lines[1]!) as { data: unknown[][] };
  const portOfIface = new Map<string, string>();
  for (const [name, interfaces] of ports.data) for (const i of members(interfaces)) portOfIface.set(uuidOf(i), String(name));
  const out = new Map<number, string>();
  for (const [uuid, ofport] of ifaces.data) {
    const n = members(ofport)[0];
    const port = portOfIface.get(uuidOf(uuid));
    if (typeof n === 'number' && n > 0 && port !== undefined) out.set(n, port);
  }
  return out;
}

/**
 * `ovs-appctl fdb/show BRIDGE`: a header, then one row per learned address,
 * the port as its OpenFlow number (`LOCAL` for the bridge's own port):
 *    port  VLAN  MAC                Age
 *       1   100  52:54:00:12:34:56    3
 *   LOCAL     0  aa:bb:cc:dd:ee:ff    0
 */
export function parseFdbShow(output: string, names: Map<number, string>): MacEntry[] {
  const out: MacEntry[] = [];
  let header = false;
  for (const line of output.split('\n')) {
    if (/^\s*port\s+VLAN\s+MAC\s+Age/i.test(line)) { header = true; continue; }
    if (line.trim() === '') continue;
    const m = /^\s*(\d+|LOCAL)\s+(\d+)\s+([0-9a-f:]{17})\s+\S+\s*$/i.exec(line);
    if (!m) throw new Error(`cannot read ovs-appctl fdb/show: "${line.trim().slice(0, 100)}"`);
    const port = m[1] === 'LOCAL' ? 'LOCAL' : names.get(Number(m[1])) ?? `ofport ${m[1]}`;
    out.push({ mac: m[3]!, vlan: Number(m[2]), port });
  }
  if (!header) throw new Error(`cannot read ovs-appctl fdb/show: no header in "${output.trim().slice(0, 100)}"`);
  return out;
}

/** The `ovs` driver: ovs-vsctl locally (no hostname) or over SSH. */
export function ovsSwitchDriver(opts: SwitchDriverOptions): SwitchDriver {
  return {
    name: 'ovs',
    module: 'ovs',
    capabilities: ['nativeless-trunk-mode'],
    fields: {
      ovs_bridge: { type: 'string', required: true },
      hostname: { type: 'string' },
      port: { type: 'integer', default: 22, min: 1, max: 65535 },
      username: { type: 'string' },
      password: { type: 'string', secret: true },
      private_key: { type: 'string', secret: true },
    },
    checkFields(f: FieldValues) {
      if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(String(f.ovs_bridge))) throw new BadArgumentError(`switch type ovs: invalid ovs_bridge "${f.ovs_bridge}"`);
      if (f.hostname === undefined) {
        for (const k of ['username', 'password', 'private_key']) {
          if (f[k] !== undefined) throw new BadArgumentError(`switch type ovs: field "${k}" needs "hostname" (without it ovs-vsctl runs on the haas host)`);
        }
        return;
      }
      if (f.username === undefined) throw new BadArgumentError('switch type ovs: field "username" is required with "hostname"');
      if ((f.password === undefined) === (f.private_key === undefined)) {
        throw new BadArgumentError('switch type ovs: give exactly one of "password" and "private_key" with "hostname"');
      }
    },
    validatePortName(port) {
      if (!OVS_PORT.test(port)) throw new BadArgumentError(`Invalid port name "${port}" for an ovs switch (1-15 of A-Z a-z 0-9 _ . : -)`);
    },
    connect(_label, fields, hostKey): SwitchSession {
      const vsctl = fields.hostname !== undefined ? sshVsctl(fields, opts.callTimeoutMs, hostKey) : localVsctl(opts.callTimeoutMs);
      return new OvsSession(String(fields.ovs_bridge), vsctl, opts.callTimeoutMs);
    },
  };
}
