// The CLI dialects' port parsers against real device output. The emulators
// (test/lab/vendor-emulator.ts) were written from the same reading of the
// vendor manuals as the dialects, so a misreading would pass both; these
// fixtures are outputs of real switches kept by ntc-templates (see
// test/fixtures/ntc-templates/README.md), and the expected values come from
// the `.yml` that ntc-templates keeps beside each `.raw`, not from us.
// The driver shows one port at a time: an output listing several ports is
// split here into the one-port answers the driver would read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { Dialect } from '../src/drivers/switch/cli/dialect.js';
import { nexusDialect } from '../src/drivers/switch/cli/nexus.js';
import { powerconnect55xxDialect } from '../src/drivers/switch/cli/powerconnect55xx.js';
import type { FieldValues } from '../src/drivers/fields.js';

const ROOT = new URL('./fixtures/ntc-templates/', import.meta.url);

/** One record of an ntc-templates `.yml`: field name to a string or a list of strings. */
type Parsed = Record<string, string | string[]>;

/** The `parsed_sample` records of an ntc-templates `.yml` (flat maps of quoted strings and lists of them). */
function readParsed(text: string): Parsed[] {
  const out: Parsed[] = [];
  let list: string[] | null = null;
  const scalar = (v: string): string => (v.startsWith('"') ? JSON.parse(v) as string : v);
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line === '---' || line === 'parsed_sample:') continue;
    let m: RegExpExecArray | null;
    if ((m = /^ {6}- (.*)$/.exec(line)) && list) { list.push(scalar(m[1]!)); continue; }
    if (!(m = /^ {2}(- | {2})([a-z0-9_]+):(?: (.*))?$/.exec(line))) throw new Error(`unexpected .yml line: ${line}`);
    if (m[1] === '- ') out.push({});
    const record = out[out.length - 1]!;
    const value = m[3];
    if (value === undefined) { list = []; record[m[2]!] = list; continue; }
    list = null;
    record[m[2]!] = value === '[]' ? [] : scalar(value);
  }
  return out;
}

/** The VLAN ids of an ntc list like `1,12,31-36` (its own reading, independent of the dialects' parseVlanList). */
function vlans(text: string): number[] {
  return text.split(',').filter((p) => p !== '').flatMap((p) => {
    const [lo, hi = lo] = p.split('-').map(Number);
    return Array.from({ length: hi! - lo! + 1 }, (_, i) => lo! + i);
  });
}

/** What the parser must return for one port, from the ntc record. */
interface Expected { native: number | null; tagged: number[]; anomaly?: RegExp }

const text = (r: Parsed, key: string): string => {
  const v = r[key];
  if (typeof v !== 'string') throw new Error(`ntc record has no field ${key}`);
  return v;
};
const list = (r: Parsed, key: string): string[] => {
  const v = r[key];
  if (!Array.isArray(v)) throw new Error(`ntc record has no list ${key}`);
  return v;
};

/**
 * A Cisco-style record (`mode`, `admin_mode`, `native_vlan`, `trunking_vlans`).
 * The configured mode is the administrative one where the switch prints it
 * (IOS); NX-OS prints only the operational one.
 */
function ciscoExpected(r: Parsed): Expected {
  const mode = typeof r.admin_mode === 'string' ? r.admin_mode : text(r, 'mode');
  if (!mode.startsWith('trunk')) return { native: null, tagged: [], anomaly: new RegExp(`in ${mode} mode`) };
  const allowedText = [r.trunking_vlans ?? []].flat().join(',');
  if (/^all$/i.test(allowedText)) return { native: null, tagged: [], anomaly: /trunk of all VLANs/ };
  const allowed = vlans(allowedText);
  if (allowed.length >= 4093) return { native: null, tagged: [], anomaly: /trunk of all VLANs/ };
  const native = Number(text(r, 'native_vlan'));
  if (!allowed.includes(native)) return { native: null, tagged: allowed, anomaly: new RegExp(`native VLAN ${native} is not on the trunk's allowed list`) };
  return { native, tagged: allowed.filter((v) => v !== native) };
}

/** A Marvell/Radlan-style record (`interface_mode`, `native_vlan`, and the membership table's `vlan_id` / `egress_rule`). */
function radlanExpected(r: Parsed): Expected {
  const mode = text(r, 'interface_mode').toLowerCase();
  if (mode !== 'trunk') return { native: null, tagged: [], anomaly: new RegExp(`in ${mode} mode`) };
  const ids = list(r, 'vlan_id').map(Number);
  const rules = list(r, 'egress_rule');
  const untagged = ids.filter((_, i) => rules[i] === 'Untagged');
  assert.deepEqual(untagged, [Number(text(r, 'native_vlan'))], 'the fixture: the native VLAN is the one untagged member');
  return { native: untagged[0]!, tagged: ids.filter((_, i) => rules[i] === 'Tagged').sort((a, b) => a - b) };
}

/** Split a several-port output into one-port answers, keyed by port; lines before the first port (a legend) go with it. */
function perPort(raw: string, header: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  let port: string | null = null;
  let lead: string[] = [];
  for (const line of raw.split('\n')) {
    const m = header.exec(line);
    if (m) { port = m[1]!; out.set(port, [...lead, line].join('\n')); lead = []; continue; }
    if (port === null) lead.push(line);
    else out.set(port, `${out.get(port)!}\n${line}`);
  }
  return out;
}

interface FixtureSet {
  /** Directory under test/fixtures/ntc-templates: <platform>/<command>. */
  dir: string;
  /** Which dialect reads it, and why these outputs stand for its switch. */
  dialect: Dialect;
  why: string;
  fields: FieldValues;
  /** The line that starts one port's answer; group 1 is the port. */
  header: RegExp;
  expected(r: Parsed): Expected;
}

const SETS: FixtureSet[] = [
  { dir: 'cisco_nxos/show_interface_switchport', dialect: nexusDialect, why: 'NX-OS itself',
    fields: { dummy_vlan: 4000 }, header: /^Name:\s*(\S+)/, expected: ciscoExpected },
  { dir: 'cisco_ios/show_interfaces_switchport', dialect: nexusDialect, why: 'IOS, the same Cisco switchport format',
    fields: { dummy_vlan: 4000 }, header: /^Name:\s*(\S+)/, expected: ciscoExpected },
  { dir: 'cisco_s300/show_interfaces_switchport', dialect: powerconnect55xxDialect, why: 'Cisco Sx300, the Marvell/Radlan firmware family of the PowerConnect 55xx',
    fields: {}, header: /^Port\s*:\s*(\S+)/, expected: radlanExpected },
  { dir: 'eltex/show_interfaces_switchport', dialect: powerconnect55xxDialect, why: 'Eltex MES, the Marvell/Radlan firmware family of the PowerConnect 55xx',
    fields: {}, header: /^Port\s*:\s*(\S+)/, expected: radlanExpected },
];

for (const set of SETS) {
  describe(`${set.dir} (${set.why})`, () => {
    const dir = new URL(`${set.dir}/`, ROOT);
    const raws = readdirSync(dir).filter((f) => f.endsWith('.raw')).sort();
    it('has fixtures', () => assert.ok(raws.length > 0));
    for (const file of raws) {
      it(file, () => {
        // The CLI shell drops carriage returns before the dialect sees the output (shell.ts).
        const raw = readFileSync(new URL(file, dir), 'utf8').replace(/\r/g, '');
        const records = readParsed(readFileSync(new URL(file.replace(/\.raw$/, '.yml'), dir), 'utf8'));
        const ports = perPort(raw, set.header);
        assert.deepEqual([...ports.keys()], records.map((r) => text(r, 'interface')), 'one answer per ntc record');
        for (const r of records) {
          const port = text(r, 'interface');
          const want = set.expected(r);
          const got = set.dialect.parsePort(ports.get(port)!, set.fields);
          assert.deepEqual({ native: got.native, tagged: got.tagged }, { native: want.native, tagged: want.tagged }, `${file} ${port}`);
          if (want.anomaly) assert.match(got.anomaly ?? '(none)', want.anomaly, `${file} ${port}`);
          else assert.equal(got.anomaly, undefined, `${file} ${port}`);
        }
      });
    }
  });
}
