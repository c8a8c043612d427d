// The CLI dialects' interface listing parsers (discovery) against real device
// output kept by ntc-templates (test/fixtures/ntc-templates/README.md): the
// expected names and link states come from the `.yml` ntc-templates keeps
// beside each `.raw`, not from us. NX-OS `show interface brief` for nexus;
// `show interfaces status` of PowerConnect and of the Cisco Sx300 (the same
// Marvell/Radlan firmware family) for powerconnect55xx. The N3000 and OS9
// listings have no ntc fixture: they are checked against the emulator
// (test/onboard-cli.test.ts) and the formats quoted in their dialect files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { nexusDialect } from '../src/drivers/switch/cli/nexus.js';
import { powerconnect55xxDialect } from '../src/drivers/switch/cli/powerconnect55xx.js';
import { delln3000Dialect } from '../src/drivers/switch/cli/delln3000.js';
import { dellnos9Dialect } from '../src/drivers/switch/cli/dellnos9.js';
import { linkWord } from '../src/drivers/switch/cli/dialect.js';

const ROOT = new URL('./fixtures/ntc-templates/', import.meta.url);

/** The `parsed_sample` records of an ntc-templates `.yml`: flat maps of quoted strings. */
function records(text: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const line of text.split('\n')) {
    const m = /^ {2}(- | {2})([a-z_]+): "(.*)"$/.exec(line);
    if (!m) continue;
    if (m[1] === '- ') out.push({});
    out[out.length - 1]![m[2]!] = JSON.parse(`"${m[3]}"`) as string;
  }
  return out;
}

/** Every `.raw` of a fixture directory with the records of its `.yml`. */
function fixtures(dir: string): Array<{ file: string; raw: string; parsed: Array<Record<string, string>> }> {
  const base = new URL(`${dir}/`, ROOT);
  return readdirSync(base).filter((f) => f.endsWith('.raw')).map((file) => ({
    file,
    raw: readFileSync(new URL(file, base), 'utf8'),
    parsed: records(readFileSync(new URL(file.replace(/\.raw$/, '.yml'), base), 'utf8')),
  }));
}

describe('interface listings of real switches (ntc-templates)', () => {
  it('nexus: show interface brief gives every Ethernet port (not subinterfaces, port-channels, VLANs, mgmt0, loopbacks) with its status', () => {
    const all = fixtures('cisco_nxos/show_interface_brief');
    assert.ok(all.length >= 4);
    for (const { file, raw, parsed } of all) {
      const expected = parsed.filter((r) => /^Eth\d+\/\d+(\/\d+)?$/.test(r.interface ?? ''))
        .map((r) => ({ name: r.interface!.replace(/^Eth/, 'Ethernet'), link: linkWord(r.status) }));
      assert.ok(expected.length > 0, file);
      assert.deepEqual(nexusDialect.parseInterfaces(raw, {}), expected, file);
    }
  });

  for (const dir of ['dell_powerconnect/show_interfaces_status', 'cisco_s300/show_interfaces_status']) {
    it(`powerconnect55xx: show interfaces status (${dir.split('/')[0]}) gives every port with its link state, not the port-channels`, () => {
      for (const { file, raw, parsed } of fixtures(dir)) {
        const expected = parsed.filter((r) => r.port !== undefined && !/^Po/i.test(r.port))
          .map((r) => ({ name: r.port!.toLowerCase(), link: r.linkstate === 'Up' ? 'up' : r.linkstate === 'Down' ? 'down' : 'unknown' }));
        assert.ok(expected.length > 0, file);
        assert.deepEqual(powerconnect55xxDialect.parseInterfaces(raw, {}), expected, file);
      }
    });
  }

  it('an answer that is not the listing (an error, an empty page) is refused, not read as no ports', () => {
    for (const d of [nexusDialect, powerconnect55xxDialect, delln3000Dialect, dellnos9Dialect]) {
      assert.throws(() => d.parseInterfaces("% Invalid input detected at '^' marker.", { interface_type: 'TenGigabitEthernet' }), /cannot read the interface list/);
      assert.throws(() => d.parseInterfaces('', { interface_type: 'TenGigabitEthernet' }), /cannot read the interface list/);
    }
  });

  it('OS9 lists only the ports of the switch\'s interface_type, by number', () => {
    const out = [
      'Port                Description  Status Speed        Duplex Vlan',
      'Te 0/0              uplink to x  Up     10000 Mbit   Full   1,5-10',
      'Te 0/1                           Down   Auto         Auto   --',
      'Fo 0/48                          Down   Auto         Auto   --',
    ].join('\n');
    assert.deepEqual(dellnos9Dialect.parseInterfaces(out, { interface_type: 'TenGigabitEthernet' }),
      [{ name: '0/0', link: 'up' }, { name: '0/1', link: 'down' }]);
    assert.deepEqual(dellnos9Dialect.parseInterfaces(out, { interface_type: 'fortyGigE' }), [{ name: '0/48', link: 'down' }]);
  });
});
