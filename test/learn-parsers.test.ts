// The MAC table parsers against real device output (ntc-templates, see
// test/fixtures/ntc-templates/README.md): each CLI dialect's, OVS's
// `fdb/show`, and MAC address normalization. Where ntc-templates keeps a
// `.yml` beside the `.raw`, the expected entries come from it, not from us.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { MacEntry } from '../src/drivers/switch/types.js';
import { nexusDialect } from '../src/drivers/switch/cli/nexus.js';
import { powerconnect55xxDialect } from '../src/drivers/switch/cli/powerconnect55xx.js';
import { delln3000Dialect } from '../src/drivers/switch/cli/delln3000.js';
import { dellnos9Dialect } from '../src/drivers/switch/cli/dellnos9.js';
import { parseFdbShow } from '../src/drivers/switch/ovs.js';
import { formatMac, normalizeMac } from '../src/drivers/switch/mac.js';

const ROOT = new URL('./fixtures/ntc-templates/', import.meta.url);
const raw = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

/** The records of an ntc-templates `.yml` (`  - key: "value"` / `    key: "value"`). */
function records(path: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const line of raw(path).split('\n')) {
    const m = /^ {2}(- | {2})(\w+): "(.*)"$/.exec(line);
    if (!m) continue;
    if (m[1] === '- ') out.push({});
    out[out.length - 1]![m[2]!] = m[3]!;
  }
  return out;
}

describe('MAC table parsers (real device output)', () => {
  it('nexus: show mac address-table (NX-OS, flag column), as ntc-templates reads it', () => {
    const base = 'cisco_nxos/show_mac_address-table/cisco_nxos_show_mac_address-table';
    const got = nexusDialect.parseMacTable(raw(`${base}.raw`), {});
    const want = records(`${base}.yml`).map((r): MacEntry => ({ mac: r.mac_address!, vlan: Number(r.vlan), port: r.ports! }));
    assert.deepEqual(got, want);
  });

  it('nexus: repeated headers, older columns, "Unknown Key ID" lines; Eth1/5 is haas\'s Ethernet1/5', () => {
    const got = nexusDialect.parseMacTable(raw('cisco_nxos/show_mac_address-table/cisco_nxos_show_mac_address-table3.raw'), {});
    assert.equal(got.length, 15);
    assert.deepEqual(got[2], { mac: '0050.56aa.0b4c', vlan: 152, port: 'Ethernet1/5' });
    assert.deepEqual(got[8], { mac: '000c.2942.8ee9', vlan: 0, port: 'drop' });
    assert.deepEqual(got[14], { mac: '04c5.a4e8.c342', vlan: 2706, port: 'Po1' });
    const paged = nexusDialect.parseMacTable(raw('cisco_nxos/show_mac_address-table/cisco_nxos_show_mac_address-table2.raw'), {});
    assert.equal(paged.length, 8);
    assert.deepEqual(paged[7], { mac: 'a0a6.2131.8c92', vlan: 217, port: 'Po1' });
  });

  it('powerconnect55xx: show bridge address-table (PowerConnect; Sx300, same Radlan firmware), as ntc-templates reads it', () => {
    for (const [path, vlanKey] of [['dell_powerconnect/show_bridge_address_table/dell_powerconnect_show_bridge_address_table', 'vlan_id'],
      ['cisco_s300/show_mac_address-table/cisco_s300_show_mac_address-table', 'vlan']] as const) {
      const got = powerconnect55xxDialect.parseMacTable(raw(`${path}.raw`), {});
      const want = records(`${path}.yml`).map((r): MacEntry => ({ mac: r.destination_address!, vlan: Number(r[vlanKey]), port: r.destination_port! }));
      assert.ok(want.length > 10);
      assert.deepEqual(got, want);
    }
  });

  it('delln3000: show mac address-table (DNOS 6), dotted upper-case MACs; Gi1/0/5 is haas\'s gi1/0/5', () => {
    const got = delln3000Dialect.parseMacTable(raw('dell_powerconnect/show_mac_address-table/dell_powerconnect_show_mac_address-table.raw'), {});
    assert.deepEqual(got.map((e) => [e.mac, e.vlan, e.port]), [
      ['0123.ABCD.7892', 1, 'Po1'], ['0123.ABCD.789A', 2, 'Po2'], ['0123.ABCD.789B', 7, 'Po3'], ['0123.ABCD.789E', 15, 'Po4'], ['0123.ABCD.789F', 19, 'Po5'],
    ]);
    const own = delln3000Dialect.parseMacTable('Vlan     Mac Address           Type        Port\n1        0123.ABCD.7892        Dynamic     Gi1/0/5\n', {});
    assert.deepEqual(own, [{ mac: '0123.ABCD.7892', vlan: 1, port: 'gi1/0/5' }]);
  });

  it('dellnos9: show mac-address-table (the example of Dell\'s OS9 manuals): a port of interface_type is haas\'s 1/21', () => {
    const out = 'VlanId     Mac Address           Type          Interface        State\n' +
      ' 1000      00:01:e8:06:95:ac     Dynamic       Te 1/21          Active\n' +
      ' 1000      00:01:e8:06:95:ad     Dynamic       Po 1             Active\n' +
      '    1      00:01:e8:06:95:ae     Dynamic       Tengig 0/7       Active\n';
    assert.deepEqual(dellnos9Dialect.parseMacTable(out, { interface_type: 'TenGigabitEthernet' }), [
      { mac: '00:01:e8:06:95:ac', vlan: 1000, port: '1/21' },
      { mac: '00:01:e8:06:95:ad', vlan: 1000, port: 'Po 1' },
      { mac: '00:01:e8:06:95:ae', vlan: 1, port: '0/7' },
    ]);
    assert.equal(dellnos9Dialect.parseMacTable(out, { interface_type: 'GigabitEthernet' })[0]!.port, 'Te 1/21');
  });

  it('every dialect refuses output that is not a MAC table', () => {
    for (const d of [nexusDialect, powerconnect55xxDialect, delln3000Dialect, dellnos9Dialect]) {
      assert.throws(() => d.parseMacTable('Building configuration...\nsw#', { interface_type: 'TenGigabitEthernet' }), /not a MAC address table/);
    }
  });

  it('ovs: fdb/show with ofport numbers mapped to port names', () => {
    const out = ' port  VLAN  MAC                Age\n    1   100  52:54:00:12:34:56    3\n    2     0  52:54:00:12:34:57    1\nLOCAL     0  aa:bb:cc:dd:ee:ff    0\n';
    assert.deepEqual(parseFdbShow(out, new Map([[1, 'p1'], [2, 'p2']])), [
      { mac: '52:54:00:12:34:56', vlan: 100, port: 'p1' },
      { mac: '52:54:00:12:34:57', vlan: 0, port: 'p2' },
      { mac: 'aa:bb:cc:dd:ee:ff', vlan: 0, port: 'LOCAL' },
    ]);
    assert.throws(() => parseFdbShow('ovs-vswitchd: no bridge named br0\n', new Map()), /cannot read ovs-appctl fdb\/show/);
    assert.throws(() => parseFdbShow('', new Map()), /no header/);
  });

  it('normalizes MAC addresses: case, and : - . separators (Cisco\'s aabb.ccdd.eeff)', () => {
    for (const m of ['52:54:00:AB:CD:EF', '52-54-00-ab-cd-ef', '5254.00ab.cdef', '525400abcdef', ' 52:54:00:ab:cd:ef ']) {
      assert.equal(normalizeMac(m), '525400abcdef', m);
    }
    for (const bad of ['52:54:00:ab:cd', '52:54:00:ab:cd:eg', '52:54-00:ab:cd:ef', 'nic0', '', '5254.00ab.cdef.01']) assert.equal(normalizeMac(bad), null, bad);
    assert.equal(formatMac('525400abcdef'), '52:54:00:ab:cd:ef');
  });
});
