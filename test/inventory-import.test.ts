// haas import / haas export (docs/inventory-document.md): an admin's sessions on the command line
// against a real daemon. The documents are the docs' and the README's own examples.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import Database from 'better-sqlite3';
import { repoRoot, runHaas, startDaemon, type Daemon } from './lib/daemon.js';

const SWITCH_SECRET = 'sw1-SECRET-pass-7f3a';
const BMC_SECRET = 'bmc-SECRET-pass-91c2';

/** The first ```yaml block after `heading` in a markdown file of the repository. */
function yamlBlock(file: string, heading: string): string {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const from = text.indexOf(heading);
  assert.ok(from >= 0, `${file} has "${heading}"`);
  const m = /```yaml\n([\s\S]*?)```/.exec(text.slice(from));
  assert.ok(m, `${file} has a yaml block after "${heading}"`);
  return m[1]!;
}

/** A list of named objects sorted by name, `*_file` keys (secrets) left out, recursively. */
function normalized(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(normalized);
    return items.every((i) => typeof i === 'object' && i !== null && 'name' in i)
      ? [...items].sort((a, b) => String((a as { name: string }).name).localeCompare(String((b as { name: string }).name))) : items;
  }
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).filter(([k]) => !k.endsWith('_file')).map(([k, x]) => [k, normalized(x)]));
  }
  return v;
}

describe('haas import and export', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let dir: string;
  /** Every output of every command run, to look for secrets in. */
  const outputs: string[] = [];
  const haas = (...args: string[]) => {
    const r = runHaas([...args, '--endpoint', `unix:${d.socket}`], { env: { NO_COLOR: '1' } });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const lab = (name: string, text: string) => { const f = join(dir, name); writeFileSync(f, text); return f; };
  const exported = () => {
    const r = haas('export');
    assert.equal(r.code, 0, r.stderr);
    return YAML.parse(r.stdout) as Record<string, unknown>;
  };
  const EMPTY = { version: 1, projects: [], switches: [], nodes: [], networks: [] };

  before(async () => {
    d = await startDaemon();
    dir = mkdtempSync(join(tmpdir(), 'haas-test-inventory-'));
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'sw1.pass'), SWITCH_SECRET + '\n');
    writeFileSync(join(dir, 'secrets', 'bmc.pass'), BMC_SECRET + '\n');
  });
  after(async () => {
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const example = () => yamlBlock('docs/inventory-document.md', '## A complete example');

  it('a dry run prints the diff and changes nothing', () => {
    const f = lab('lab.yaml', example());
    const r = haas('import', f, '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^create +switch +sw1$/m);
    assert.match(r.stdout, /^create +cable +node-01 eth0 -> sw1 gi1\/0\/1$/m);
    assert.match(r.stdout, /dry run of .*lab\.yaml: 21 to create, 0 to update, 0 unchanged; nothing was changed/);
    assert.deepEqual(exported(), EMPTY);
  });

  it('imports the docs\' example, and export gives it back (secrets and ordering aside)', () => {
    const f = lab('lab.yaml', example());
    const r = haas('import', f);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported .*lab\.yaml: 21 created, 0 updated, 0 unchanged/);
    assert.deepEqual(normalized(exported()), normalized(YAML.parse(example())));
    // The secrets reached the daemon (so the search for them in every output below can find them).
    const db = new Database(d.db, { readonly: true });
    try {
      const stored = db.prepare('SELECT config FROM switch UNION ALL SELECT obm_config FROM node').pluck().all().join('\n');
      assert.ok(stored.includes(SWITCH_SECRET) && stored.includes(BMC_SECRET));
    } finally { db.close(); }
  });

  it('a second import of the same document changes nothing and says so', () => {
    const r = haas('import', lab('lab.yaml', example()), '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.counts, { create: 0, update: 0, unchanged: 21 });
    assert.ok(report.changes.every((c: { action: string }) => c.action === 'unchanged'));
    const human = haas('import', lab('lab.yaml', example()));
    assert.match(human.stdout, /lab\.yaml: nothing to change \(21 unchanged\)/);
  });

  it('is additive: an object the document omits survives; new ones and safe updates are applied', () => {
    const doc = YAML.parse(example());
    doc.nodes = [doc.nodes[0]];
    doc.nodes[0].obm.host = 'bmc-01-new.lab.example';
    doc.nodes[0].metadata = { rack: 'B7', owner: 'ops' };
    doc.nodes.push({ name: 'node-03', obm: { type: 'mock', host: 'bmc-03', user: 'root', password_file: 'secrets/bmc.pass' } });
    doc.networks[0].access.push('extra');
    doc.projects.push('extra');
    const r = haas('import', lab('more.yaml', YAML.stringify(doc)));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^update +node +node-01 \(obm\.host\)$/m);
    assert.match(r.stdout, /^update +metadata +node-01 rack$/m);
    assert.match(r.stdout, /^create +metadata +node-01 owner$/m);
    assert.match(r.stdout, /^create +node +node-03$/m);
    assert.match(r.stdout, /^create +access +provider extra$/m);
    const after = exported() as { nodes: Array<{ name: string; metadata?: Record<string, unknown>; obm: { host: string } }> };
    assert.deepEqual(after.nodes.map((n) => n.name), ['node-01', 'node-02', 'node-03']);
    assert.deepEqual(after.nodes[0]!.metadata, { rack: 'B7', cores: 32, owner: 'ops' });
    assert.equal(after.nodes[0]!.obm.host, 'bmc-01-new.lab.example');
  });

  it('refuses unsafe updates, saying what differs', () => {
    assert.equal(haas('node', 'obm', 'enable', 'node-02').code, 0);
    const doc = YAML.parse(example());
    doc.nodes[1].obm.host = 'elsewhere';
    doc.nodes[0].nics[0].macaddr = '52:54:00:00:99:99';
    doc.switches[0].hostname = 'sw1-renamed.lab.example';
    doc.networks[0].net_id = 3333;
    const r = haas('import', lab('unsafe.yaml', YAML.stringify(doc)));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unsafe\.yaml has 4 problems; nothing was imported/);
    assert.match(r.stderr, /unsafe\.yaml: switches\[0\]: switch "sw1" differs from the inventory in hostname/);
    assert.match(r.stderr, /unsafe\.yaml: nodes\[0\]\.nics\[0\]\.macaddr: nic "eth0" of node "node-01" has the MAC address 52:54:00:00:01:00/);
    assert.match(r.stderr, /unsafe\.yaml: nodes\[1\]\.obm: the OBM fields host of node "node-02" differ, and its OBM is enabled/);
    assert.match(r.stderr, /unsafe\.yaml: networks\[0\]: network "provider" differs from the inventory in net_id \(3000\)/);
    assert.equal(haas('node', 'obm', 'disable', 'node-02').code, 0);
  });

  it('lists every error of a malformed document, with file and path, and changes nothing', () => {
    const before = exported();
    const bad = `
version: 1
projects: [research, p2, p2, 42]
switches:
  - name: sw9
    type: mock
    hostname: sw9.example
    username: admin
    password: inline-secret-never
    ports: [gi1/0/1, gi1/0/1]
  - name: sw10
    type: mock
    hostname: sw10.example
    username: admin
    password_file: secrets/missing.pass
nodes:
  - name: n-bad
    colour: blue
    obm: {type: mock, host: h, user: root, password_file: secrets/bmc.pass}
    nics:
      - {name: eth0, macaddr: "52:54:00:zz:00:01", switch: nosuchswitch, port: gi1/0/7}
      - {name: eth1, macaddr: "52:54:00:00:00:02"}
      - {name: eth1, macaddr: "52:54:00:00:00:04"}
  - name: n-bad
    obm: {type: mock, host: h, user: root, password_file: secrets/bmc.pass}
  - name: n-ports
    obm: {type: mock, host: h, user: root, password_file: secrets/bmc.pass}
    nics:
      - {name: eth0, macaddr: "52:54:00:00:00:03", switch: nosuchswitch, port: gi1/0/7}
networks:
  - {name: net-x, owner: admin, net_id: "not-a-number"}
`;
    const r = haas('import', lab('bad.yaml', bad));
    assert.equal(r.code, 1, r.stdout);
    const expected = [
      /bad\.yaml: projects\[2\]: project "p2" appears twice in the document/,
      /bad\.yaml: projects\[3\]: must be a string, not a number \(42\)/,
      /bad\.yaml: switches\[0\]\.password: a secret is never written in the document: name the file that holds it with "password_file"/,
      /bad\.yaml: switches\[0\]\.ports\[1\]: port "gi1\/0\/1" is listed twice/,
      /bad\.yaml: switches\[1\]\.password_file: cannot read the secret file secrets\/missing\.pass: ENOENT/,
      /bad\.yaml: nodes\[0\]\.colour: unknown key/,
      /bad\.yaml: nodes\[0\]\.nics\[0\]\.macaddr: not a MAC address: "52:54:00:zz:00:01"/,
      /bad\.yaml: nodes\[0\]\.nics\[2\]: nic "eth1" appears twice in the document/,
      /bad\.yaml: nodes\[1\]: node "n-bad" appears twice in the document/,
      /bad\.yaml: nodes\[2\]\.nics\[0\]: switch "nosuchswitch" does not exist/,
      /bad\.yaml: networks\[0\]\.net_id: must be a whole number \(a VLAN id\), not a string/,
    ];
    for (const e of expected) assert.match(r.stderr, e);
    assert.match(r.stderr, new RegExp(`bad\\.yaml has ${expected.length} problems; nothing was imported`));
    assert.deepEqual(exported(), before);
  });

  it('reports YAML syntax errors with line and column', () => {
    const r = haas('import', lab('syntax.yaml', 'projects: [a, b\nnodes:\n  - name: x\n  name: y\n'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /syntax\.yaml is not valid YAML or JSON/);
    assert.match(r.stderr, /syntax\.yaml:\d+:\d+: /);
    const dup = haas('import', lab('dup.yaml', 'projects: [a]\nprojects: [b]\n'));
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /dup\.yaml:2:1: Map keys must be unique/);
  });

  it('refuses a cable to a port the inventory and the document lack, and a port name the driver refuses', () => {
    const r = haas('import', lab('ports.yaml', YAML.stringify({
      switches: [{ name: 'sw1', type: 'mock', hostname: 'sw1.lab.example', username: 'admin', ports: ['eth 1'] }],
      nodes: [{ name: 'node-02', obm: { type: 'mock', host: 'bmc-02.lab.example', user: 'root' },
        nics: [{ name: 'eth9', macaddr: '52-54-00-00-02-09', switch: 'sw1', port: 'gi1/0/40' }] }],
    })));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ports\.yaml: switches\[0\]\.ports\[0\]: Invalid port name "eth 1" for a mock switch/);
    assert.match(r.stderr, /ports\.yaml: nodes\[0\]\.nics\[0\]: port "gi1\/0\/40" of switch "sw1" does not exist/);
  });

  it('imports JSON too, and exports JSON', () => {
    const r = haas('import', lab('lab.json', JSON.stringify({ projects: ['json-project'] })));
    assert.equal(r.code, 0, r.stderr);
    const j = haas('export', '--format', 'json');
    assert.ok((JSON.parse(j.stdout) as { projects: string[] }).projects.includes('json-project'));
  });

  it('records one audit entry per import with its counts', () => {
    const page = haas('audit', '--operation', 'inventory_import', '--json');
    const entries = JSON.parse(page.stdout).entries as Array<{ outcome: string; detail: Record<string, unknown> }>;
    assert.ok(entries.some((e) => e.outcome === 'ok' && e.detail.created === 21 && e.detail.dry_run === false));
    assert.ok(entries.some((e) => e.outcome === 'refused' && e.detail.problems === 11));
  });

  it('the README\'s example imports into an empty daemon', async () => {
    const fresh = await startDaemon();
    try {
      writeFileSync(join(dir, 'tor1.pass'), 'tor1-pw\n');
      writeFileSync(join(dir, 'bmc.pass'), 'bmc-pw\n');
      const f = lab('readme.yaml', yamlBlock('README.md', '## Bulk inventory'));
      const r = runHaas(['import', f, '--endpoint', `unix:${fresh.socket}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /imported .*readme\.yaml: 9 created/);
    } finally {
      await fresh.cleanup();
    }
  });

  it('never shows a secret: not in any output, the export, the audit trail or the daemon log', () => {
    haas('audit', '--limit', '1000', '--json');
    const everything = [...outputs, d.stdout, d.stderr].join('\n');
    for (const secret of [SWITCH_SECRET, BMC_SECRET, 'inline-secret-never']) assert.ok(!everything.includes(secret), secret);
  });
});
