// SSH host keys of CLI switches (haas's extension), against the ssh2 vendor
// emulators: the first key seen is recorded; a switch that comes back with
// another key gets no password (no authentication request reaches it) and no
// change, the action ends ERROR naming both fingerprints; an admin accepts
// the new key (API and CLI) and the next action succeeds. A key given before
// the first login is checked on that login, for every CLI dialect.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, runHaas } from './lib/daemon.js';
import { ok } from './lib/fixtures.js';
import { switchApi } from './lib/switch-api.js';
import { startVendorEmulator, type EmulatorOptions, type Vendor, type VendorEmulator } from './lab/vendor-emulator.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

/** A well-formed fingerprint of no key the emulators have. */
const FOREIGN = 'SHA256:' + 'A'.repeat(43);

const DIALECTS: Array<{ type: Vendor; port: string; fields: Record<string, string>; emulator: Partial<EmulatorOptions> }> = [
  { type: 'nexus', port: 'Ethernet1/1', fields: { dummy_vlan: '2222' }, emulator: { absentVlans: [2222] } },
  { type: 'powerconnect55xx', port: 'gi1/0/1', fields: {}, emulator: { shellLogin: true } },
  { type: 'delln3000', port: 'gi1/0/1', fields: { dummy_vlan: '2222' }, emulator: { absentVlans: [2222], unprivileged: true } },
  { type: 'dellnos9', port: '1/1', fields: { interface_type: 'TenGigabitEthernet' }, emulator: {} },
];

describe('SSH host keys of CLI switches (vendor emulators)', () => {
  let d: TestDaemon;
  const emulators: VendorEmulator[] = [];
  const { call, addNode, networksOf } = switchApi(() => d);

  async function emulator(type: Vendor, port: string, extra: Partial<EmulatorOptions>): Promise<VendorEmulator> {
    const emu = await startVendorEmulator({ vendor: type, ports: [port], ...extra });
    emulators.push(emu);
    return emu;
  }
  /** Register a switch on the emulator with one node cabled to `port`, in project lab. */
  async function addSwitch(sw: string, type: Vendor, port: string, emu: VendorEmulator, fields: Record<string, string>) {
    ok(await call('PUT', `/switch/${sw}`, { type, hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, ...fields }));
  }
  async function act(node: string, op: 'connect' | 'detach', network: string) {
    const id = ok(await call('POST', `/node/${node}/nic/eth0/${op}_network`, { network }), 202).json.status_id;
    const a = await waitAction(d, id);
    const details = ok(await call('GET', `/networking_action/${id}/details`)).json;
    return { status: a.status as string, message: details.message as string | null };
  }
  const hostKey = async (sw: string) => ok(await call('GET', `/switch/${sw}/host_key`)).json;

  before(async () => {
    d = await startDaemon();
    ok(await call('PUT', '/project/lab'));
    ok(await call('PUT', '/network/red', { owner: 'admin', access: '', net_id: '310' }));
    ok(await call('PUT', '/network/blue', { owner: 'admin', access: '', net_id: '320' }));
  });
  after(async () => {
    await d?.cleanup();
    for (const e of emulators) await e.close();
  });

  it('records the first key, refuses a changed one before authenticating, and works again once an admin accepts it', async () => {
    const emu = await emulator('nexus', 'Ethernet1/1', { absentVlans: [2222] });
    await addSwitch('nx1', 'nexus', 'Ethernet1/1', emu, { dummy_vlan: '2222' });
    // Checked before the node joins its project: that has the switch read back at once (the drift watch), a first login too.
    assert.deepEqual(await hostKey('nx1'), { switch: 'nx1', fingerprint: null, origin: null, recorded_at: null, refused: null });
    await addNode('nx1', 'Ethernet1/1', 'n1');

    assert.equal((await act('n1', 'connect', 'red')).status, 'DONE');
    const first = emu.hostKeyFingerprint();
    const recorded = await hostKey('nx1');
    assert.equal(recorded.fingerprint, first);
    assert.equal(recorded.origin, 'first-use');
    assert.equal(recorded.refused, null);

    // The switch comes back with another key (a reinstall, or someone in the middle).
    await emu.newHostKey();
    const presented = emu.hostKeyFingerprint();
    assert.notEqual(presented, first);
    const before = { auth: emu.authAttempts, logins: emu.logins, commands: emu.commands.length };
    // The daemon's pooled session died with the old server, maybe unnoticed yet: any use of it fails
    // (nothing is sent) and drops it, so the action below logs in anew, deterministically.
    assert.equal((await call('GET', '/switch/nx1/verify')).status, 502);
    const refused = await act('n1', 'detach', 'red');
    assert.equal(refused.status, 'ERROR');
    assert.ok(refused.message?.includes(`recorded ${first}`), refused.message ?? '');
    assert.ok(refused.message?.includes(`presented ${presented}`), refused.message ?? '');
    assert.equal(emu.authAttempts, before.auth, 'no authentication request (so no password) reached the switch');
    assert.equal(emu.logins, before.logins);
    assert.equal(emu.commands.length, before.commands, 'no command reached the switch');
    assert.deepEqual(emu.effect('Ethernet1/1'), { native: 310, tagged: [] }, 'the port is unchanged');
    assert.deepEqual(await networksOf('n1'), { 'vlan/native': 'red' }, 'the inventory is unchanged');
    assert.deepEqual({ ...(await hostKey('nx1')), recorded_at: null }, { switch: 'nx1', fingerprint: first, origin: 'first-use', recorded_at: null, refused: presented });
    // Refused again on retry: the key is not learned by trying.
    assert.equal((await act('n1', 'detach', 'red')).status, 'ERROR');
    assert.equal(emu.authAttempts, before.auth);

    // Accepting anything but the presented key changes nothing.
    const wrong = ok(await call('POST', '/switch/nx1/host_key/accept', { fingerprint: FOREIGN }), 409).json;
    assert.equal(wrong.type, 'IllegalStateError');
    assert.match(wrong.msg, new RegExp(`last presented ${presented.replace(/[+/]/g, '\\$&')}`));
    assert.equal((await hostKey('nx1')).fingerprint, first);

    // The admin accepts it with the CLI.
    const cli = runHaas(['switch', 'host-key', 'accept', 'nx1', presented, '--endpoint', `unix:${d.socket}`]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`host key:\\s+${presented.replace(/[+/]/g, '\\$&')}`));
    assert.match(cli.stdout, /given by an admin/);
    const accepted = await hostKey('nx1');
    assert.equal(accepted.fingerprint, presented);
    assert.equal(accepted.origin, 'admin');
    assert.equal(accepted.refused, null);
    assert.equal((await act('n1', 'detach', 'red')).status, 'DONE');
    assert.deepEqual(await networksOf('n1'), {});
    assert.ok(emu.authAttempts > before.auth, 'the switch is logged in to again');

    // The audit trail: the first key recorded by haas, the refused accept, the admin's accept.
    const trail = ok(await call('GET', '/audit?operation=switch_host_key_first_use')).json.entries
      .filter((e: { detail: { switch?: string } }) => e.detail.switch === 'nx1');
    assert.deepEqual(trail.map((e: { actor: string | null; source: string; detail: unknown }) => [e.actor, e.source, e.detail]),
      [[null, 'haas', { switch: 'nx1', fingerprint: first }]]);
    const accepts = ok(await call('GET', '/audit?operation=switch_accept_host_key')).json.entries
      .map((e: { outcome: string; error_type: string | null; detail: { fingerprint?: string } }) => [e.outcome, e.error_type, e.detail.fingerprint]);
    assert.deepEqual(accepts, [['ok', null, presented], ['refused', 'IllegalStateError', FOREIGN]]);
  });

  it('answers bad input with 400/404/409, never a 500', async () => {
    ok(await call('PUT', '/switch/plain', { type: 'mock', hostname: 'sw.example', username: 'u', password: 'p' }));
    const bad = async (method: string, path: string, body: unknown, status: number, type: string) => {
      const r = await call(method, path, body);
      assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.type, type);
      return r.json.msg as string;
    };
    await bad('PUT', '/switch/plain/host_key', {}, 400, 'ValidationError');
    await bad('PUT', '/switch/plain/host_key', { fingerprint: 42 }, 400, 'ValidationError');
    await bad('PUT', '/switch/plain/host_key', { fingerprint: FOREIGN, extra: 1 }, 400, 'ValidationError');
    assert.match(await bad('PUT', '/switch/plain/host_key', { fingerprint: 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48' }, 400, 'BadArgumentError'),
      /not an OpenSSH SHA-256 fingerprint.*ssh-keygen -lf/);
    await bad('PUT', '/switch/plain/host_key', { fingerprint: 'SHA256:' + 'A'.repeat(42) }, 400, 'BadArgumentError');
    await bad('GET', '/switch/nowhere/host_key', undefined, 404, 'NotFoundError');
    await bad('PUT', '/switch/nowhere/host_key', { fingerprint: FOREIGN }, 404, 'NotFoundError');
    assert.match(await bad('POST', '/switch/plain/host_key/accept', { fingerprint: FOREIGN }, 409, 'IllegalStateError'), /no refused host key/);
    // base64's padding, as some tools print it, is accepted and dropped.
    assert.equal(ok(await call('PUT', '/switch/plain/host_key', { fingerprint: `${FOREIGN}=` })).json.fingerprint, FOREIGN);
    // HIL's show_switch keeps its exact shape.
    assert.deepEqual(Object.keys(ok(await call('GET', '/switch/plain')).json).sort(), ['capabilities', 'name', 'ports']);
  });

  for (const dialect of DIALECTS) {
    it(`${dialect.type}: a key given before the first login is checked on that login`, async () => {
      const emu = await emulator(dialect.type, dialect.port, dialect.emulator);
      const sw = `pre-${dialect.type}`;
      const node = `node-${dialect.type}`;
      await addSwitch(sw, dialect.type, dialect.port, emu, dialect.fields);
      const set = ok(await call('PUT', `/switch/${sw}/host_key`, { fingerprint: FOREIGN })).json;
      assert.equal(set.fingerprint, FOREIGN);
      assert.equal(set.origin, 'admin');
      await addNode(sw, dialect.port, node);
      const r = await act(node, 'connect', 'red');
      assert.equal(r.status, 'ERROR');
      assert.ok(r.message?.includes(`recorded ${FOREIGN}, presented ${emu.hostKeyFingerprint()}`), r.message ?? '');
      assert.equal(emu.authAttempts, 0, 'not even the first login sent the password');
      assert.equal(emu.commands.length, 0);
      assert.deepEqual(await networksOf(node), {});
      // The right key, given with PUT, lets it through.
      ok(await call('PUT', `/switch/${sw}/host_key`, { fingerprint: emu.hostKeyFingerprint() }));
      assert.equal((await act(node, 'connect', 'red')).status, 'DONE');
      assert.equal(emu.effect(dialect.port).native, 310);
    });
  }
});
