// What a CLI dialect is: mostly data, in the networking-generic-switch
// style. A vendor file gives command templates per port operation, the
// command that shows a port, a parser for its answer, how to save, and the
// patterns of the switch's error replies. The session engine (session.ts)
// does the rest: prompts, modes, error checks after every command, save.
import type { FieldValues } from '../../fields.js';
import type { MacEntry, PortVlans, LinkState } from '../types.js';

/**
 * A command template: a list of steps. A step is one command or several
 * separated by "\n", with placeholders:
 *   {port} {vlan} {dummy_vlan} {if_type}  single values;
 *   {old_native}  the port's native VLAN now, unless it is the {vlan} being set;
 *   {each_tagged}  the step is repeated for each tagged VLAN the port has now.
 * A step whose placeholder has no value (e.g. {old_native} on a port without
 * a native VLAN) is left out as a whole, so a step groups the commands that
 * only make sense together (`interface vlan {old_native}` / `no untagged ...` / `exit`).
 */
export type Template = string[];

/** The command templates of one vendor; each runs in config mode and returns to it. */
export interface DialectTemplates {
  /** Make VLAN {vlan} the port's native (untagged) VLAN, replacing {old_native}. */
  setNative: Template;
  /** Remove the native VLAN {old_native}. */
  removeNative: Template;
  /** Carry VLAN {vlan} tagged. */
  addTagged: Template;
  /** Stop carrying VLAN {vlan} tagged. */
  removeTagged: Template;
  /**
   * Leave the port on no network, as a trunk with an explicit empty VLAN list
   * (never "all VLANs"). Also run before the first change to a port whose
   * configuration is not one this driver writes (access mode, a trunk of
   * every VLAN): a default Cisco/Dell trunk carries every VLAN.
   */
  revert: Template;
}

/** How to save the running configuration and how to know it worked. */
export interface SaveDialog {
  command: string;
  /** A question the switch may ask, and the answer (sent as is: include "\n" if the switch needs Enter). */
  confirm?: { question: RegExp; answer: string };
  /** Output that proves the save succeeded. */
  success: RegExp;
}

/** One vendor's CLI. */
export interface Dialect {
  /** Exec-mode commands that turn paging off (a rejection is not fatal: `--More--` is handled too). */
  pagingOff: string[];
  /** Enter config mode from exec mode. */
  configure: string;
  /** Leave config mode (from any config sub-mode) back to exec mode. */
  end: string;
  /** Config-mode steps run once per connection (e.g. make sure the dummy VLAN exists). */
  onConnect?: Template;
  templates: DialectTemplates;
  /** Exec-mode command showing one port's VLANs ({port}, {if_type}). */
  showPort: string;
  /** The port's VLANs from the show command's output; throws if the output is not understood. */
  parsePort(output: string, fields: FieldValues): PortVlans;
  /** Exec-mode command showing the whole forwarding (MAC address) table. */
  showMacTable: string;
  /** The entries of the MAC table show, ports in haas's names where they are this switch's ports; throws if the output is not a MAC table. */
  parseMacTable(output: string, fields: FieldValues): MacEntry[];
  /** Exec-mode command listing every interface with its link state (discovery; the VLANs come from showPort, port by port). */
  listInterfaces: string;
  /** The switch ports of that listing, named as haas names this driver's ports; throws if the output is not understood. */
  parseInterfaces(output: string, fields: FieldValues): ListedInterface[];
  save: SaveDialog;
  /** Vendor-specific error replies, on top of COMMON_ERRORS. */
  errors: RegExp[];
}

/** One row of an interface status listing: the port's name (as haas names it) and its link. */
export interface ListedInterface { name: string; link: LinkState }

/** A link state word of a status listing: `up`/`Up`, `down`/`Down` (and NX-OS's down-like states); anything else is unknown. */
export function linkWord(word: string | undefined): LinkState {
  if (word === undefined) return 'unknown';
  if (/^up$/i.test(word)) return 'up';
  if (/^(down|sfpAbsent|xcvrAbsen\w*|disabled|err-?disabled|notconn\w*|suspnd|suspended|noOperMem\w*|linkFlapE\w*)$/i.test(word)) return 'down';
  return 'unknown';
}

/**
 * The rows of an interface status listing that `rowOf` recognizes as switch ports (the other
 * lines: headers, rulers, port-channel, VLAN, loopback and management sections, are skipped).
 * Throws if no row is recognized: the answer is not the listing.
 */
export function parseInterfaceRows(output: string, rowOf: (line: string) => ListedInterface | null): ListedInterface[] {
  const out: ListedInterface[] = [];
  const seen = new Set<string>();
  for (const raw of output.split('\n')) {
    // A `--More--` prompt is erased with "\r   \r" on the line that follows it: keep what is left.
    const line = raw.replace(/\r$/, '').replace(/^.*\r/, '').trimStart();
    const row = rowOf(line);
    if (row && !seen.has(row.name)) { seen.add(row.name); out.push(row); }
  }
  if (out.length === 0) throw new Error(`cannot read the interface list from: ${output.trim().slice(0, 200)}`);
  return out;
}

/**
 * A row whose link state is the last `Up`/`Down` word after the port name (Dell's
 * `show interfaces status`: the Link State column comes after the free-text
 * description and before words that are never up or down).
 */
export function lastLinkWord(rest: string): LinkState {
  const words = rest.trim().split(/\s+/).filter((w) => /^(up|down)$/i.test(w));
  return linkWord(words[words.length - 1]);
}

/** Error replies of Cisco-like CLIs: any of these in a command's output means the command was rejected. */
export const COMMON_ERRORS: RegExp[] = [
  /^\s*% ?(Invalid|Incomplete|Ambiguous|Error|Bad|Unrecognized|Unknown|Incorrect|Cannot|Failed|Not )/im,
  /^\s*\^\s*$/m, // the caret under a rejected word, printed without a `%` line by some firmware
  /VLAN was not created by user/i,
  /Configuration Database locked/i,
  /^\s*(ERROR|Error):/m,
  /^\s*Command (rejected|authorization failed)/im,
];

/** The VLAN ids of a list like `10,20-25` (spaces, `(Inactive)` and other parenthesized notes ignored). */
export function parseVlanList(text: string): number[] {
  const clean = text.replace(/\([^)]*\)/g, ' ').trim();
  if (clean === '' || /^(none|-+)$/i.test(clean)) return [];
  const out = new Set<number>();
  for (const part of clean.split(/[,\s]+/)) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`not a VLAN list: "${text.trim()}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi > 4095) throw new Error(`not a VLAN range: "${part}"`);
    for (let v = lo; v <= hi; v++) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** VLAN ids as a compact list: `10,20-25`. */
export function formatVlanList(vlans: number[]): string {
  const sorted = [...new Set(vlans)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i]! + 1) i++;
    parts.push(start === sorted[i] ? String(start) : `${start}-${sorted[i]}`);
  }
  return parts.join(',');
}

/** A wrapped line of a VLAN list: indented digits, commas and dashes, maybe a note like `(Inactive)`. */
export const CONTINUATION = /^\s+[,\d][\d,\s-]*(\([^)]*\)[\d,\s-]*)*$/;

/**
 * The `Key: value` lines of a show command, keys lower-cased. A line with no
 * colon that continues a list (digits, commas, dashes) belongs to the key
 * above: long VLAN lists wrap.
 */
export function keyValues(output: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | null = null;
  for (const line of output.split('\n')) {
    const kv = /^\s*([A-Za-z][A-Za-z0-9 ().\/_-]*?)\s*:\s*(.*?)\s*$/.exec(line);
    if (kv && !/^\s*[\d,\s-]+$/.test(line)) {
      last = kv[1]!.toLowerCase().replace(/\s+/g, ' ');
      out.set(last, kv[2]!);
      continue;
    }
    if (last !== null && CONTINUATION.test(line)) {
      const prev = out.get(last)!;
      const sep = prev.endsWith(',') || prev.endsWith('-') || line.trim().startsWith(',') ? '' : ',';
      out.set(last, prev + sep + line.trim());
    } else {
      last = null;
    }
  }
  return out;
}

/** The value of the first key matching `key`, or undefined. */
export function valueOf(kv: Map<string, string>, key: RegExp): string | undefined {
  for (const [k, v] of kv) if (key.test(k)) return v;
  return undefined;
}

/**
 * The `Port is member in:` table of the Marvell/Radlan switchport show
 * (PowerConnect 55xx family): each member VLAN with its egress rule, or null
 * if the output has no such table.
 *   Vlan               Name               Egress rule Port Membership Type
 *   ---- -------------------------------- ----------- --------------------
 *   203                203                 Untagged          Static
 */
function memberTable(output: string): { untagged: number[]; tagged: number[] } | null {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => /^\s*Port is member in\s*:/i.test(l));
  if (start < 0) return null;
  const out = { untagged: [] as number[], tagged: [] as number[] };
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(Forbidden VLANs|Classification rules)/i.test(line)) break;
    const row = /^\s*(\d+)\s.*\s(Untagged|Tagged)(\s|$)/i.exec(line);
    if (row) (/^u/i.test(row[2]!) ? out.untagged : out.tagged).push(Number(row[1]));
  }
  out.tagged.sort((a, b) => a - b);
  return out;
}

/**
 * A Cisco-like `switchport` show (NX-OS, IOS, PowerConnect, N3000): mode, native
 * VLAN, allowed VLANs; or, in the Marvell/Radlan format, mode, PVID and the
 * member table. `parkingVlan` is the dummy VLAN that stands for "no native
 * VLAN" on this switch (nexus, delln3000), if any.
 */
export function parseCiscoSwitchport(output: string, parkingVlan: number | null): PortVlans {
  const kv = keyValues(output);
  // `Administrative Mode: trunk` (IOS), `Operational Mode: trunk` (NX-OS),
  // `VLAN Membership Mode: Trunk Mode` (N3000), `Port Mode: Trunk` (Radlan).
  const mode = (valueOf(kv, /(^|\s)mode$/) ?? '').toLowerCase().replace(/\s+mode$/, '').trim();
  // `Trunking Native Mode VLAN` (Cisco), `Trunking Mode Native VLAN` (N3000), `Ingress UnTagged VLAN ( NATIVE )` (Radlan).
  const nativeText = valueOf(kv, /native.*vlan|vlan.*native/);
  // `Trunking VLANs Allowed` (NX-OS), `Trunking VLANs Enabled` (IOS), `Trunking Mode VLANs Enabled` (N3000).
  const allowedText = valueOf(kv, /^trunking (mode )?vlans (allowed|enabled)$|^allowed vlans?$/);
  const members = allowedText === undefined ? memberTable(output) : null;
  if (mode === '' && nativeText === undefined && allowedText === undefined) {
    throw new Error(`cannot read the port's VLANs from: ${output.trim().slice(0, 200)}`);
  }
  if (mode !== '' && !mode.startsWith('trunk')) {
    const access = valueOf(kv, /^access mode vlan$/);
    return { native: null, tagged: [], anomaly: `the port is in ${mode} mode${access ? ` (VLAN ${access.replace(/\s*\(.*$/, '')})` : ''}` };
  }
  const nativeNum = /^\s*(\d+)/.exec(nativeText ?? '')?.[1];
  if (members) return fromMembers(members, nativeNum === undefined ? null : Number(nativeNum), parkingVlan);
  const allowedRaw = (allowedText ?? '').trim();
  if (/^all$/i.test(allowedRaw)) return { native: null, tagged: [], anomaly: 'trunk of all VLANs' };
  const allowed = parseVlanList(allowedRaw);
  if (allowed.length >= 4093) return { native: null, tagged: [], anomaly: `trunk of all VLANs (${allowedRaw})` };
  let native = nativeNum === undefined ? null : Number(nativeNum);
  if (native === parkingVlan) native = null;
  const tagged = allowed.filter((v) => v !== native && v !== parkingVlan);
  if (native !== null && !allowed.includes(native)) {
    // It carries nothing now, but would turn untagged the day its VLAN is allowed as a tagged one.
    return { native: null, tagged, anomaly: `native VLAN ${native} is not on the trunk's allowed list` };
  }
  return { native, tagged };
}

/** A trunk's VLANs from its member table (Radlan): the untagged member is the native VLAN, and should be the PVID. */
function fromMembers(members: { untagged: number[]; tagged: number[] }, pvid: number | null, parkingVlan: number | null): PortVlans {
  const untagged = members.untagged.filter((v) => v !== parkingVlan);
  const tagged = members.tagged.filter((v) => v !== parkingVlan);
  if (untagged.length > 1) return { native: null, tagged, anomaly: `untagged in several VLANs: ${untagged.join(',')}` };
  const native = untagged[0] ?? null;
  if (native !== null && pvid !== null && native !== pvid) return { native, tagged, anomaly: `native VLAN ${pvid} but untagged in ${native}` };
  return { native, tagged };
}

/**
 * The rows of a MAC table show: every line that `row` matches gives (VLAN,
 * MAC, port); legends, separators, repeated headers and totals are skipped.
 * Throws when no line is the table's header (`header`): the output is not a
 * MAC table at all (a refusal that matched no error pattern, a changed format).
 */
export function macTableRows(output: string, header: RegExp, row: RegExp, port: (name: string) => string): MacEntry[] {
  const lines = output.split('\n');
  if (!lines.some((l) => header.test(l))) throw new Error(`not a MAC address table: "${output.trim().slice(0, 200)}"`);
  const out: MacEntry[] = [];
  for (const line of lines) {
    const m = row.exec(line.replace(/\r$/, ''));
    if (!m?.groups) continue;
    const vlan = m.groups.vlan;
    out.push({ mac: m.groups.mac!, vlan: vlan === undefined || !/^\d+$/.test(vlan) ? null : Number(vlan), port: port(m.groups.port!) });
  }
  return out;
}

/** A Dell port as the MAC table prints it (`Gi1/0/5`, `Te1/0/1`) in haas's name for it (`gi1/0/5`); other names as they are. */
export function dellPortName(name: string): string {
  return /^(gi|te)\d/i.test(name) ? name.slice(0, 2).toLowerCase() + name.slice(2) : name;
}
