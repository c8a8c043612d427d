// Lab fixture: SSH servers (ssh2's Server) that speak the CLI dialects of
// Cisco NX-OS, Dell PowerConnect 55xx, Dell N3000 and Dell OS9 closely enough
// to drive haas's CLI drivers end to end: prompts and modes, paging, the
// save dialogs, and the vendors' error replies. Each keeps per-port VLAN
// state and, given `apply`, pushes what a port forwards to a real switch
// (the OVS lab) after every change. Ports start as on a factory-fresh switch:
// Cisco/Dell ports in access mode on VLAN 1 (every such port talks to every
// other one), OS9 ports shut down and not switchports.
import { createHash } from 'node:crypto';
import ssh2, { type Connection, type ServerChannel } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader does not see `Server` and `utils` as named exports.
const { Server, utils } = ssh2;

export type Vendor = 'nexus' | 'powerconnect55xx' | 'delln3000' | 'dellnos9';

/** What a port forwards: its untagged VLAN and its tagged VLANs (`all`: every VLAN). */
export interface PortEffect { native: number | null; tagged: number[] | 'all' }

/** The configuration of one emulated port. */
export interface EmulatedPort {
  switchport: boolean;
  shutdown: boolean;
  mode: 'access' | 'trunk';
  access: number;
  /** Trunk native VLAN (Cisco/Dell) or the VLAN the port is untagged in (OS9). */
  native: number | null;
  /** Trunk allowed VLANs (Cisco/Dell) or the VLANs the port is tagged in (OS9). */
  allowed: Set<number> | 'all';
  /** Something is plugged in and lit at the far end (the link is up unless the port is shut down too). */
  cabled: boolean;
}

export interface EmulatorOptions {
  vendor: Vendor;
  /** The switch's port names, as the vendor writes them (Ethernet1/1, gi1/0/1, 1/1). */
  ports: string[];
  username?: string;
  password?: string;
  hostname?: string;
  /** OS9: the interface type of every port. */
  interfaceType?: string;
  /** VLANs that do not exist on the switch (e.g. nexus's dummy VLAN): they forward nothing, and Dell refuses them. */
  absentVlans?: number[];
  /** PowerConnect style: any SSH password opens the shell, which then asks `User Name:` / `Password:`. */
  shellLogin?: boolean;
  /** Start at `sw>`: `enable` asks for the password. */
  unprivileged?: boolean;
  /** Page show output every N lines with `--More--`, even after `terminal length 0`. */
  pageLines?: number;
  /** Offer only keyboard-interactive authentication (a `Password:` prompt), as many switches do. */
  keyboardInteractiveOnly?: boolean;
  /** Called with what a port forwards after every change to it (and once per port at start). */
  apply?: (port: string, effect: PortEffect) => void;
}

/** One learned address of the emulated forwarding table: `mac` as 12 hex digits in any notation, `port` as the emulator's port name. */
export interface EmulatedMac { mac: string; vlan: number; port: string }

/** A running emulator. */
export interface VendorEmulator {
  vendor: Vendor;
  host: string;
  port: number;
  username: string;
  password: string;
  /** Every command received, in order (all sessions). */
  commands: string[];
  /** Successful saves. */
  saves: number;
  /** SSH logins that reached the CLI. */
  logins: number;
  /** Authentication requests received (any method, accepted or not): a client that sent none sent no password. */
  authAttempts: number;
  /** The OpenSSH fingerprint (`SHA256:...`) of its host key. */
  hostKeyFingerprint(): string;
  /** Drop every session, and listen again on the same port with a freshly generated host key. */
  newHostKey(): Promise<void>;
  /** Test hook: return the switch's reply to refuse a command, or null to run it. */
  reject: ((command: string) => string | null) | null;
  /** Test hook: when set, the save prints this instead of succeeding. */
  failSave: string | null;
  /** Test hook: commands matching it get no answer at all (a hung switch). */
  stall: RegExp | null;
  /** Test hook: the first command matching `match` drops the SSH connection unanswered, `after` applying it or `before`; then the hook clears itself. */
  dropSession: { match: RegExp; when: 'after' | 'before' } | null;
  /** The forwarding table the MAC table show prints, in the vendor's format (settable by the test). */
  macTable: EmulatedMac[];
  /** One port's configuration. */
  config(port: string): EmulatedPort;
  /** What one port forwards. */
  effect(port: string): PortEffect;
  /** Change a port behind haas's back (drift). */
  tamper(port: string, change: Partial<EmulatedPort>): void;
  /** Drop every live session (the switch reboots). */
  dropSessions(): void;
  close(): Promise<void>;
}

const INVALID = "% Invalid input detected at '^' marker.";

function vlanList(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 4094 || hi < lo) return null;
    for (let v = lo; v <= hi; v++) out.push(v);
  }
  return out;
}

function ranges(vlans: Iterable<number>): string {
  const sorted = [...new Set(vlans)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i]! + 1) i++;
    parts.push(start === sorted[i] ? String(start) : `${start}-${sorted[i]}`);
  }
  return parts.join(',');
}

/** A VLAN list as a wrapping switch prints it: `key: 10,20,...` then indented continuation lines. */
function wrapped(key: string, list: string, width = 40): string[] {
  const chunks: string[] = [];
  let rest = list;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(',', width);
    if (cut <= 0) break;
    chunks.push(rest.slice(0, cut + 1));
    rest = rest.slice(cut + 1);
  }
  chunks.push(rest);
  return [`${key}${chunks[0]}`, ...chunks.slice(1).map((c) => `${' '.repeat(key.length)}${c}`)];
}

/** Start an emulator on 127.0.0.1 (random port). */
export async function startVendorEmulator(opts: EmulatorOptions): Promise<VendorEmulator> {
  const vendor = opts.vendor;
  const username = opts.username ?? 'admin';
  const password = opts.password ?? 'sw-' + Math.random().toString(36).slice(2, 10);
  const hostname = opts.hostname ?? 'sw';
  const ifType = opts.interfaceType ?? 'TenGigabitEthernet';
  const maxVlan = vendor === 'delln3000' ? 4093 : 4094;
  const absent = new Set(opts.absentVlans ?? []);
  const os9 = vendor === 'dellnos9';
  const dell = vendor === 'powerconnect55xx' || vendor === 'delln3000';
  const ports = new Map<string, EmulatedPort>();
  for (const p of opts.ports) {
    ports.set(p, os9
      ? { switchport: false, shutdown: true, mode: 'trunk', access: 1, native: null, allowed: new Set(), cabled: true }
      : { switchport: true, shutdown: false, mode: 'access', access: 1, native: 1, allowed: 'all', cabled: true });
  }
  const exists = (v: number) => v >= 1 && v <= maxVlan && !absent.has(v);

  const effectOf = (p: EmulatedPort): PortEffect => {
    if (p.shutdown || !p.switchport) return { native: null, tagged: [] };
    if (os9) return { native: p.native, tagged: [...p.allowed as Set<number>].filter(exists).sort((a, b) => a - b) };
    if (p.mode === 'access') return { native: exists(p.access) ? p.access : null, tagged: [] };
    const allowed = p.allowed === 'all' ? null : p.allowed;
    const native = p.native !== null && exists(p.native) && (allowed === null || allowed.has(p.native)) ? p.native : null;
    if (allowed === null) return { native, tagged: 'all' };
    return { native, tagged: [...allowed].filter((v) => exists(v) && v !== native).sort((a, b) => a - b) };
  };
  const lastEffect = new Map<string, string>();
  const pushEffect = (name: string) => {
    const e = effectOf(ports.get(name)!);
    const key = JSON.stringify(e);
    if (lastEffect.get(name) === key) return;
    lastEffect.set(name, key);
    opts.apply?.(name, e);
  };
  for (const name of ports.keys()) pushEffect(name);

  const emu: VendorEmulator = {
    vendor, host: '127.0.0.1', port: 0, username, password, commands: [], saves: 0, logins: 0, authAttempts: 0, reject: null, failSave: null, stall: null, dropSession: null, macTable: [],
    config(port) { const p = ports.get(port); if (!p) throw new Error(`no port ${port}`); return { ...p, allowed: p.allowed === 'all' ? 'all' : new Set(p.allowed) }; },
    effect(port) { return effectOf(ports.get(port)!); },
    tamper(port, change) { Object.assign(ports.get(port)!, change); pushEffect(port); },
    dropSessions() { for (const c of clients) c.end(); },
    close: () => new Promise((res) => { for (const c of clients) c.end(); server.close(() => res()); }),
    hostKeyFingerprint() {
      const parsed = utils.parseKey(hostKey);
      if (parsed instanceof Error) throw parsed;
      return 'SHA256:' + createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '');
    },
    async newHostKey() {
      await emu.close();
      hostKey = newEd25519HostKey();
      server = new Server({ hostKeys: [hostKey] }, onClient);
      await new Promise<void>((res) => server.listen(emu.port, '127.0.0.1', () => res()));
    },
  };

  // ---- one CLI session -------------------------------------------------------
  type Mode = { kind: 'login-user' } | { kind: 'login-password'; user: string } | { kind: 'enable-password' }
    | { kind: 'exec' } | { kind: 'config' } | { kind: 'if'; port: string } | { kind: 'vlan-if'; vlan: number } | { kind: 'vlan'; vlan: number }
    | { kind: 'confirm'; char: boolean };

  function cliSession(stream: ServerChannel, client: Connection): void {
    let mode: Mode = opts.shellLogin ? { kind: 'login-user' } : { kind: 'exec' };
    let privileged = !opts.unprivileged;
    let pagingOff = false;
    let line = '';
    let pending: string[] = []; // paged output waiting for a key
    // Output is collected and written once per input chunk, as a switch answers a line at once.
    let outBuf = '';
    const out = (text: string) => { outBuf += text.replace(/\r?\n/g, '\r\n'); };
    const flush = () => { if (outBuf !== '') { stream.write(outBuf); outBuf = ''; } };
    const prompt = () => {
      switch (mode.kind) {
        case 'login-user': return 'User Name:';
        case 'login-password': case 'enable-password': return 'Password:';
        case 'exec': return `${hostname}${privileged ? '#' : '>'}`;
        case 'config': return os9 ? `${hostname}(conf)#` : `${hostname}(config)#`;
        case 'if': return os9 ? `${hostname}(conf-if-te-${mode.port})#` : `${hostname}(config-if)#`;
        case 'vlan-if': return `${hostname}(conf-if-vl-${mode.vlan})#`;
        case 'vlan': return `${hostname}(config-vlan)#`;
        case 'confirm': return '';
      }
    };
    const show = (lines: string[]) => {
      const page = opts.pageLines ?? (pagingOff ? 0 : 24);
      if (page > 0 && lines.length > page) {
        out(lines.slice(0, page).join('\n') + '\n--More-- ');
        pending = lines.slice(page);
        return false;
      }
      out(lines.join('\n') + '\n');
      return true;
    };
    const setMode = (m: Mode) => { mode = m; };
    const isPort = (name: string) => ports.has(name) || (vendor === 'nexus' && ports.has(name.replace(/^ethernet/, 'Ethernet')));
    const portOf = (name: string) => (ports.has(name) ? name : name.replace(/^ethernet/, 'Ethernet'));
    const changed = (name: string) => pushEffect(name);

    /** Run one command line; returns the reply (may be empty) or null when output was paged/handled. */
    const run = (cmd: string): string | null => {
      const words = cmd.trim().split(/\s+/);
      const c = words.join(' ');
      if (c === '') return '';
      emu.commands.push(c);
      if (emu.stall?.test(c)) return null;
      const refused = emu.reject?.(c) ?? null;
      if (refused !== null) return refused;
      let m: RegExpExecArray | null;
      switch (mode.kind) {
        case 'exec': {
          if (c === 'enable') { if (!privileged) setMode({ kind: 'enable-password' }); return ''; }
          if (!privileged) return INVALID;
          if ((c === 'terminal length 0' && vendor !== 'powerconnect55xx') || (c === 'terminal datadump' && vendor === 'powerconnect55xx')) { pagingOff = true; return ''; }
          if (c === 'configure terminal' || c === 'configure') { setMode({ kind: 'config' }); return vendor === 'nexus' ? 'Enter configuration commands, one per line. End with CNTL/Z.' : ''; }
          if (c === 'exit' || c === 'logout') { stream.end(); return null; }
          if (vendor === 'nexus' && (m = /^show interface (\S+) switchport$/i.exec(c)) && isPort(m[1]!)) return showCisco(portOf(m[1]!));
          if (dell && (m = /^show interfaces switchport (\S+)$/.exec(c)) && isPort(m[1]!)) return showCisco(m[1]!);
          if (os9 && (m = /^show interfaces switchport (\S+) (\S+)$/.exec(c)) && m[1] === ifType && isPort(m[2]!)) return showOs9(m[2]!);
          if ((vendor === 'nexus' && c === 'show mac address-table') || (vendor === 'powerconnect55xx' && c === 'show bridge address-table')
            || (vendor === 'delln3000' && c === 'show mac address-table') || (os9 && c === 'show mac-address-table')) return showMacTable();
          if (vendor === 'nexus' && c === 'show interface brief') return showStatus();
          if (vendor !== 'nexus' && c === 'show interfaces status') return showStatus();
          if (c === 'copy running-config startup-config' && !os9) return save();
          if (c === 'write memory' && os9) return save();
          return INVALID;
        }
        case 'config': {
          if (c === 'end' || c === 'exit') { setMode({ kind: 'exec' }); return ''; }
          if (!os9 && (m = /^interface (\S+)$/i.exec(c)) && isPort(m[1]!)) { setMode({ kind: 'if', port: portOf(m[1]!) }); return ''; }
          if (os9 && (m = /^interface (\S+) (\S+)$/.exec(c)) && m[1] === ifType && isPort(m[2]!)) { setMode({ kind: 'if', port: m[2]! }); return ''; }
          if (os9 && (m = /^interface vlan (\d+)$/.exec(c)) && Number(m[1]) <= 4094) { absent.delete(Number(m[1])); setMode({ kind: 'vlan-if', vlan: Number(m[1]) }); return ''; }
          if (!os9 && (m = /^vlan (\d+)$/.exec(c)) && Number(m[1]) >= 1 && Number(m[1]) <= maxVlan) {
            absent.delete(Number(m[1]));
            setMode({ kind: 'vlan', vlan: Number(m[1]) });
            for (const p of ports.keys()) changed(p);
            return '';
          }
          if (/^interface /.test(c)) return '% Invalid interface';
          return INVALID;
        }
        case 'vlan': {
          if (c === 'exit') { setMode({ kind: 'config' }); return ''; }
          if (c === 'end') { setMode({ kind: 'exec' }); return ''; }
          return INVALID;
        }
        case 'if': return os9 ? os9Interface(mode.port, c) : ciscoInterface(mode.port, c);
        case 'vlan-if': return os9Vlan(mode.vlan, c);
        default: return INVALID;
      }
    };

    const ciscoInterface = (name: string, c: string): string => {
      const p = ports.get(name)!;
      let m: RegExpExecArray | null;
      const done = () => { changed(name); return ''; };
      if (c === 'exit') { setMode({ kind: 'config' }); return ''; }
      if (c === 'end') { setMode({ kind: 'exec' }); return ''; }
      if (c === 'shutdown') { p.shutdown = true; return done(); }
      if (c === 'no shutdown') { p.shutdown = false; return done(); }
      if (c === 'switchport' && vendor === 'nexus') { p.switchport = true; return done(); }
      if ((m = /^switchport mode (access|trunk)$/.exec(c))) { p.mode = m[1] as 'access' | 'trunk'; return done(); }
      if ((m = /^switchport access vlan (\d+)$/.exec(c))) {
        const v = Number(m[1]);
        if (dell && !exists(v)) return 'VLAN was not created by user.';
        p.access = v; return done();
      }
      if ((m = /^switchport trunk native vlan (\d+|none)$/.exec(c))) {
        if (m[1] === 'none') { if (vendor !== 'powerconnect55xx') return INVALID; p.native = null; return done(); }
        const v = Number(m[1]);
        if (v < 1 || v > maxVlan) return INVALID;
        if (p.mode !== 'trunk' && dell) return '% Error: the port is not in trunk mode.';
        if (dell && !exists(v)) return 'VLAN was not created by user.';
        if (vendor === 'delln3000' && (p.allowed === 'all' ? false : !p.allowed.has(v))) return `Failed to set the native VLAN: VLAN ${v} is not allowed on ${name}.`;
        p.native = v; return done();
      }
      if ((m = /^switchport trunk allowed vlan (add |remove )?(\S+)$/.exec(c))) {
        const op = m[1]?.trim();
        if (!op && (m[2] === 'none' || m[2] === 'all')) { p.allowed = m[2] === 'all' ? 'all' : new Set(); return done(); }
        const list = vlanList(m[2]!);
        if (!list || list.some((v) => v > maxVlan)) return INVALID;
        if (dell && op !== 'remove' && list.some((v) => !exists(v))) return 'VLAN was not created by user.';
        const cur = p.allowed === 'all' ? new Set(Array.from({ length: maxVlan }, (_, i) => i + 1)) : p.allowed;
        if (op === 'add') { if (p.allowed !== 'all') for (const v of list) cur.add(v); }
        else if (op === 'remove') { for (const v of list) cur.delete(v); p.allowed = cur; }
        else p.allowed = new Set(list);
        return done();
      }
      return INVALID;
    };

    const os9Interface = (name: string, c: string): string => {
      const p = ports.get(name)!;
      if (c === 'exit') { setMode({ kind: 'config' }); return ''; }
      if (c === 'end') { setMode({ kind: 'exec' }); return ''; }
      if (c === 'switchport') { p.switchport = true; changed(name); return ''; }
      if (c === 'shutdown') { p.shutdown = true; changed(name); return ''; }
      if (c === 'no shutdown') { p.shutdown = false; changed(name); return ''; }
      return INVALID;
    };

    const os9Vlan = (vlan: number, c: string): string => {
      if (c === 'exit') { setMode({ kind: 'config' }); return ''; }
      if (c === 'end') { setMode({ kind: 'exec' }); return ''; }
      const m = /^(no )?(untagged|tagged) (\S+) (\S+)$/.exec(c);
      if (!m || m[3] !== ifType || !isPort(m[4]!)) return INVALID;
      const p = ports.get(m[4]!)!;
      const tagged = p.allowed as Set<number>;
      if (m[1]) {
        if (m[2] === 'untagged' && p.native === vlan) p.native = null;
        if (m[2] === 'tagged') tagged.delete(vlan);
      } else {
        if (!p.switchport) return `% Error: Port is not in Layer-2 mode ${ifType} ${m[4]}.`;
        if (m[2] === 'untagged') {
          if (p.native !== null && p.native !== vlan) return '% Error: Port is untagged in another Vlan.';
          if (tagged.has(vlan)) return '% Error: Port is tagged in this Vlan.';
          p.native = vlan;
        } else {
          if (p.native === null) return `% Error: ${ifType} ${m[4]} needs an untagged (native) VLAN before tagged VLANs.`;
          if (p.native === vlan) return '% Error: Port is untagged in this Vlan.';
          tagged.add(vlan);
        }
      }
      changed(m[4]!);
      return '';
    };

    const showCisco = (name: string): string | null => {
      const p = ports.get(name)!;
      const allowed = p.allowed === 'all' ? (vendor === 'delln3000' ? 'All' : `1-${maxVlan}`) : p.allowed.size ? ranges(p.allowed) : 'none';
      const note = (v: number | null) => (v === null ? 'none' : `${v}${v === 1 ? ' (default)' : exists(v) ? '' : ' (Inactive)'}`);
      // N3000 (DNOS6) says `Trunking Mode Native VLAN` / `Trunking Mode VLANs Enabled`: the keys HIL's n3000
      // driver read from real switches, and what public N1500/N2000 captures show.
      const lines = vendor === 'delln3000'
        ? [`Port: ${name}`, `VLAN Membership Mode: ${p.mode === 'trunk' ? 'Trunk' : 'Access'} Mode`, `Access Mode VLAN: ${note(p.access)}`,
          'General Mode PVID: 1 (default)', 'General Mode Ingress Filtering: Enabled', 'General Mode Acceptable Frame Type: Admit All',
          'General Mode Dynamically Added VLANs:', 'General Mode Untagged VLANs: 1', 'General Mode Tagged VLANs:', 'General Mode Forbidden VLANs:',
          `Trunking Mode Native VLAN: ${note(p.native)}`, 'Trunking Mode Native VLAN Tagging: Disabled',
          ...wrapped('Trunking Mode VLANs Enabled: ', allowed), 'Private VLAN Host Association: none', 'Default Priority: 0', 'Protected: Disabled']
        : vendor === 'nexus'
        ? [`Name: ${name}`, `  Switchport: ${p.switchport ? 'Enabled' : 'Disabled'}`, '  Switchport Monitor: Not enabled',
          `  Operational Mode: ${p.mode}`, `  Access Mode VLAN: ${note(p.access)}`, `  Trunking Native Mode VLAN: ${note(p.native)}`,
          ...wrapped('  Trunking VLANs Allowed: ', allowed), '  FabricPath Topology List Allowed: 0', '  Voice VLAN: none',
          '  Extended Trust State : not trusted [COS = 0]', '  Administrative private-vlan primary host-association: none']
        : [`Port: ${name}`, `VLAN Membership Mode: ${p.mode === 'trunk' ? 'Trunk' : 'Access'} Mode`, '',
          'Operating parameters:', `Access Mode VLAN: ${note(p.access)}`, 'General Mode PVID: 1 (default)',
          'General Mode Ingress Filtering: Enabled', 'General Mode Acceptable Frame Type: Admit All',
          `Trunking Native Mode VLAN: ${note(p.native)}`, ...wrapped('Trunking VLANs Enabled: ', allowed),
          'Protected Port: False', '', 'Forbidden VLANs:', 'VLAN     Name', '----- ---------'];
      return show(lines) ? '' : null;
    };

    // The MAC table shows of each vendor, as their manuals and real captures print them (see the dialect files).
    const showMacTable = (): string | null => {
      const hex = (m: string) => m.replace(/[^0-9a-f]/gi, '').toLowerCase();
      const colons = (m: string) => hex(m).match(/../g)!.join(':');
      const dotted = (m: string) => hex(m).match(/..../g)!.join('.');
      const pad = (t: string | number, n: number) => String(t).padEnd(n);
      const rows = emu.macTable;
      let lines: string[];
      if (vendor === 'nexus') {
        lines = ['Legend:', '        * - primary entry, G - Gateway MAC, (R) - Routed MAC, O - Overlay MAC',
          '        age - seconds since last seen,+ - primary entry using vPC Peer-Link,', '        (T) - True, (F) - False',
          '   VLAN     MAC Address      Type      age     Secure NTFY Ports', '---------+-----------------+--------+---------+------+----+------------------',
          ...rows.map((r) => `* ${pad(r.vlan, 8)} ${dotted(r.mac)}    dynamic  0          F      F    ${r.port.replace(/^Ethernet/, 'Eth')}`)];
      } else if (vendor === 'powerconnect55xx') {
        lines = ['Aging time is 300 sec', '', '  Vlan        Mac Address       Port     Type', '-------- --------------------- ------ ----------',
          ...rows.map((r) => `   ${pad(r.vlan, 7)} ${colons(r.mac)}    ${pad(r.port, 8)} dynamic`)];
      } else if (vendor === 'delln3000') {
        lines = ['', 'Aging time is 300 Sec', '', 'Vlan     Mac Address           Type        Port', '-------- --------------------- ----------- ---------------------',
          ...rows.map((r) => `${pad(r.vlan, 8)} ${pad(dotted(r.mac).toUpperCase(), 21)} Dynamic     ${r.port.replace(/^(gi|te)/, (x) => x[0]!.toUpperCase() + x[1])}`),
          '', `Total MAC Addresses in use: ${rows.length}`];
      } else {
        const abbrev = ifType.slice(0, 2);
        lines = ['VlanId     Mac Address           Type          Interface        State',
          ...rows.map((r) => ` ${pad(r.vlan, 9)} ${colons(r.mac)}     Dynamic       ${pad(`${abbrev} ${r.port}`, 16)} Active`)];
      }
      return show(lines) ? '' : null;
    };

    const showOs9 = (name: string): string | null => {
      const p = ports.get(name)!;
      const lines = ['Codes:  U - Untagged, T - Tagged', '        x - Dot1x untagged, X - Dot1x tagged',
        '        G - GVRP tagged, M - Trunk, H - VSN tagged', '        i - Internal untagged, I - Internal tagged, v - VLT untagged, V - VLT tagged', '',
        `Name: ${ifType} ${name}`, `802.1QTagged: ${p.switchport ? 'Hybrid' : 'False'}`, 'SMUX port mode: Admin VLANs enabled', 'Vlan membership:', 'Q       Vlans'];
      if (p.native !== null) lines.push(`U       ${p.native}`);
      const tagged = p.allowed as Set<number>;
      if (tagged.size) lines.push(...wrapped('T       ', ranges(tagged)));
      lines.push('', `Native VlanId:     ${p.native ?? 1}.`);
      return show(lines) ? '' : null;
    };

    /** The vendor's interface status listing (discovery), from each port's state. */
    const showStatus = (): string | null => {
      const pad = (text: string, n: number) => text.padEnd(n);
      const up = (p: EmulatedPort) => p.cabled && !p.shutdown;
      const rows = [...ports].map(([name, p]) => ({ name, p, up: up(p) }));
      let lines: string[];
      if (vendor === 'nexus') {
        const ruler = '-'.repeat(80);
        lines = ['', ruler, 'Port   VRF          Status IP Address                              Speed    MTU', ruler,
          'mgmt0  --           up     127.0.0.1                               1000     1500', '', ruler,
          'Ethernet      VLAN    Type Mode   Status  Reason                   Speed     Port',
          'Interface                                                                    Ch #', ruler,
          ...rows.map(({ name, p, up: on }) => {
            const vlan = !p.switchport ? '--' : String(p.mode === 'access' ? p.access : p.native ?? 1);
            const reason = p.shutdown ? 'Administratively down' : on ? 'none' : 'Link not connected';
            return `${pad(name.replace(/^Ethernet/, 'Eth'), 14)}${pad(vlan, 8)}eth  ${pad(p.switchport ? p.mode : 'routed', 7)}${pad(on ? 'up' : 'down', 8)}${pad(reason, 26)}${on ? '   10G(D)' : '  auto(D)'} --`;
          }),
          '', ruler, 'Interface     Status     Description', ruler, 'Lo0           up         --', ''];
      } else if (vendor === 'powerconnect55xx') {
        lines = ['                                             Flow Link          Back   Mdix',
          'Port     Type         Duplex  Speed Neg      ctrl State       Pressure Mode',
          '-------- ------------ ------  ----- -------- ---- ----------- -------- -------',
          ...rows.map(({ name, up: on }) => on
            ? `${pad(name, 9)}1G-Copper    Full    1000  Enabled  Off  Up          Disabled On`
            : `${pad(name, 9)}1G-Copper      --      --     --     --  Down           --     --`),
          '', '                                          Flow    Link',
          'Ch       Type    Duplex  Speed  Neg      control  State',
          '-------- ------- ------  -----  -------- -------  -----------',
          'Po1         --     --      --      --       --    Not Present'];
      } else if (vendor === 'delln3000') {
        lines = ['', 'Port      Description               Duplex Speed   Neg  Link  Flow Control',
          '                                                        State Status',
          '--------- ------------------------- ------ ------- ---- ----- -----------',
          ...rows.map(({ name, up: on }) => `${pad(name.replace(/^gi/, 'Gi').replace(/^te/, 'Te'), 10)}${pad('', 26)}${on ? 'Full   1000   ' : 'N/A    Unknown'} Auto ${on ? 'Up  ' : 'Down'}  ${on ? 'Active' : 'Inactive'}`),
          '', 'Oob       Type                                          Link', '                                                        State',
          '--------- ------------------------------ -------------- -----', 'oob       Out-Of-Band                                   Up'];
      } else {
        const abbrev = ifType.slice(0, 2).replace(/^./, (ch) => ch.toUpperCase());
        lines = ['Port                Description  Status Speed        Duplex Vlan',
          ...rows.map(({ name, p, up: on }) => {
            const vlans = !p.switchport ? '--' : ranges([...(p.native === null ? [] : [p.native]), ...(p.allowed as Set<number>)]) || '--';
            return `${pad(`${abbrev} ${name}`, 20)}${pad('', 13)}${pad(on ? 'Up' : 'Down', 7)}${pad(on ? '10000 Mbit' : 'Auto', 13)}${pad(on ? 'Full' : 'Auto', 7)}${vlans}`;
          }),
          ...(abbrev === 'Fo' ? [] : ['Fo 9/48                          Down   Auto         Auto   --'])];
      }
      return show(lines) ? '' : null;
    };

    const save = (): string | null => {
      const ok = () => {
        if (emu.failSave !== null) return emu.failSave;
        emu.saves += 1;
        switch (vendor) {
          case 'nexus': return '[########################################] 100%\nCopy complete, now saving to disk (please wait)...\nCopy complete.';
          case 'powerconnect55xx': return '\nCopy succeeded';
          case 'delln3000': return '\nConfiguration Saved!';
          case 'dellnos9': return '!\n00:12:01: %STKUNIT0-M:CP %FILEMGR-5-FILESAVED: Copied running-config to startup-config in flash by default';
        }
      };
      if (vendor === 'powerconnect55xx') { confirmThen = ok; setMode({ kind: 'confirm', char: true }); out('Overwrite file [startup-config].... (Y/N)[N] ?'); return null; }
      if (vendor === 'delln3000') {
        confirmThen = ok;
        setMode({ kind: 'confirm', char: false });
        out('This operation may take a few minutes.\nManagement interfaces will not be available during this time.\n\nAre you sure you want to save? (y/n) ');
        return null;
      }
      return ok();
    };
    let confirmThen: () => string = () => '';

    const reply = (text: string | null) => {
      if (text === null) return;
      if (text !== '') out(text + '\n');
      out(prompt());
    };

    const onLine = (typed: string) => {
      if (mode.kind === 'login-user') { out('\n'); setMode({ kind: 'login-password', user: typed.trim() }); out(prompt()); return; }
      if (mode.kind === 'login-password') {
        out('\n');
        if (mode.user === username && typed === password) { emu.logins += 1; setMode({ kind: 'exec' }); out(prompt()); }
        else { out('Authentication failed!\n'); setMode({ kind: 'login-user' }); out(prompt()); }
        return;
      }
      if (mode.kind === 'enable-password') {
        out('\n');
        if (typed === password) privileged = true; else out('% Access denied\n');
        setMode({ kind: 'exec' });
        out(prompt());
        return;
      }
      if (mode.kind === 'confirm') {
        out(typed + '\n');
        setMode({ kind: 'exec' });
        reply(/^y/i.test(typed.trim()) ? confirmThen() : 'Copy operation aborted.');
        return;
      }
      out(typed + '\n'); // the terminal echo
      const drop = emu.dropSession;
      if (drop && drop.match.test(typed.trim())) {
        emu.dropSession = null;
        if (drop.when === 'after') run(typed);
        outBuf = '';
        client.end();
        return;
      }
      reply(run(typed));
    };

    stream.on('data', (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (pending.length > 0) { // a key turns the page
          out('\r        \r');
          const rest = pending;
          pending = [];
          if (show(rest)) out(prompt());
          continue;
        }
        if (mode.kind === 'confirm' && mode.char) { onLine(ch); continue; }
        if (ch === '\r' || ch === '\n') {
          if (ch === '\n' && skipLf) { skipLf = false; continue; }
          skipLf = ch === '\r';
          const typed = line;
          line = '';
          onLine(typed);
          continue;
        }
        skipLf = false;
        line += ch;
      }
      flush();
    });
    let skipLf = false;
    if (mode.kind === 'exec') emu.logins += 1;
    out(`\n${vendor === 'nexus' ? 'Cisco Nexus Operating System (NX-OS) Software (haas lab emulator)' : 'haas lab emulator'}\n\n`);
    out(prompt());
    flush();
  }

  // ---- the SSH server ----------------------------------------------------------
  let hostKey = newEd25519HostKey();
  const clients = new Set<Connection>();
  const onClient = (client: Connection) => {
    clients.add(client);
    // Like haas's client: no Nagle delay on small CLI writes (missing from @types/ssh2's Connection).
    (client as Connection & { setNoDelay(on: boolean): unknown }).setNoDelay(true);
    client.on('close', () => clients.delete(client));
    client.on('error', () => { /* a client that vanished */ });
    client.on('authentication', (ctx) => {
      emu.authAttempts += 1;
      if (opts.keyboardInteractiveOnly) {
        if (ctx.method !== 'keyboard-interactive') { ctx.reject(['keyboard-interactive']); return; }
        ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          if (ctx.username === username && answers[0] === password) ctx.accept(); else ctx.reject(['keyboard-interactive']);
        });
        return;
      }
      if (ctx.method === 'password' && (opts.shellLogin || (ctx.username === username && ctx.password === password))) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('pty', (ok) => ok?.());
        session.on('window-change', (ok) => ok?.());
        session.on('env', (ok) => ok?.());
        session.on('exec', (_ok, reject) => reject?.());
        session.on('shell', (ok) => cliSession(ok(), client));
      });
    });
  };
  let server = new Server({ hostKeys: [hostKey] }, onClient);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  emu.port = (server.address() as { port: number }).port;
  return emu;
}

/**
 * A fresh ed25519 host key. ssh2's generateKeyPairSync strips leading zero bytes of the public key,
 * so about 1 key in 256 cannot be parsed back (mscdex/ssh2#1390, #1513): draw again until it can.
 */
function newEd25519HostKey(): string {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair.private;
  }
}
