// SSH host keys of an `ovs` switch reached over SSH: a real Open vSwitch
// behind a real OpenSSH sshd (test/lab/sshd.ts). The first login records the
// sshd's key; sshd restarted on the same port with a freshly generated key
// makes the next action end ERROR with both fingerprints and leaves the
// switch port and the inventory as they were; the admin accepts the new key
// and the action goes through. The key survives a daemon restart, a key
// given at registration (CLI --host-key) is checked, and deleting the switch
// forgets its key.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, runHaas } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';
import { labUnavailable } from './lab/netns.js';
import { startOvsLab, type LabNode, type OvsLab } from './lab/ovs.js';
import { startSshd, type LabSshd } from './lab/sshd.js';

const skip = labUnavailable();
type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
const FOREIGN = 'SHA256:' + 'B'.repeat(43);

describe('SSH host keys of an ovs switch (OVS lab over OpenSSH)', { skip: skip ?? false }, () => {
  let lab: OvsLab;
  let sshd: LabSshd;
  let d: TestDaemon;
  let node: LabNode;

  const call = caller(() => d);
  const hostKey = async (sw: string) => ok(await call('GET', `/switch/${sw}/host_key`)).json;
  const switchFields = () => ({
    type: 'ovs', ovs_bridge: lab.bridge, hostname: sshd.host, port: sshd.port, username: sshd.username, password: sshd.password,
  });
  async function act(op: 'connect' | 'detach', network: string) {
    const id = ok(await call('POST', `/node/n1/nic/eth0/${op}_network`, { network }), 202).json.status_id;
    const a = await waitAction(d, id);
    return { status: a.status as string, message: ok(await call('GET', `/networking_action/${id}/details`)).json.message as string | null };
  }
  const networks = async () => ok(await call('GET', '/node/n1')).json.nics[0].networks;

  before(async () => {
    lab = await startOvsLab();
    node = lab.addNode('a', 1);
    sshd = await startSshd({ dir: lab.dir, env: { OVS_RUNDIR: lab.rundir } });
    d = await startDaemon();
    ok(await call('PUT', '/switch/ovs1', switchFields()));
    // Checked before the node joins its project: that has the switch read back at once (the drift watch), a first login too.
    assert.equal((await hostKey('ovs1')).fingerprint, null);
    ok(await call('PUT', '/project/lab'));
    ok(await call('PUT', `/switch/ovs1/port/${node.port}`));
    ok(await call('PUT', '/node/n1', { obm: { type: 'mock', host: 'n1-bmc', user: 'u', password: 'p' } }));
    ok(await call('PUT', '/node/n1/nic/eth0', { macaddr: 'n1-mac' }));
    ok(await call('POST', `/switch/ovs1/port/${node.port}/connect_nic`, { node: 'n1', nic: 'eth0' }));
    ok(await call('POST', '/project/lab/connect_node', { node: 'n1' }));
    ok(await call('PUT', '/network/red', { owner: 'admin', access: '', net_id: '310' }));
  });
  after(async () => {
    await d?.cleanup();
    sshd?.stop();
    lab?.stop();
  });

  it('records the key of the first login (trust on first use)', async () => {
    assert.equal((await act('connect', 'red')).status, 'DONE');
    const k = await hostKey('ovs1');
    assert.equal(k.fingerprint, sshd.hostKeyFingerprint());
    assert.equal(k.origin, 'first-use');
    assert.match(k.recorded_at, /^\d{4}-\d\d-\d\dT/);
  });

  it('refuses sshd restarted with a new key: ERROR with both fingerprints, the port and the inventory unchanged', async () => {
    const first = sshd.hostKeyFingerprint();
    await sshd.newHostKey();
    const presented = sshd.hostKeyFingerprint();
    assert.notEqual(presented, first);
    // The daemon's pooled session died with the old sshd, maybe unnoticed yet: any use of it fails
    // (nothing is sent) and drops it, so the action below logs in anew, deterministically.
    assert.equal((await call('GET', '/switch/ovs1/verify')).status, 502);
    const r = await act('detach', 'red');
    assert.equal(r.status, 'ERROR');
    assert.ok(r.message?.includes(`recorded ${first}, presented ${presented}`), r.message ?? '');
    assert.deepEqual(lab.portConfig(node.port), { tag: 310, trunks: [], vlan_mode: 'access', protected: false }, 'the switch port is unchanged');
    assert.deepEqual(await networks(), { 'vlan/native': 'red' });
    // verify goes through the same check: no read-back from an untrusted host either.
    const v = await call('GET', '/switch/ovs1/verify');
    assert.equal(v.status, 502, v.text);
    assert.match(v.json.msg, /has changed: recorded/);
    const k = await hostKey('ovs1');
    assert.equal(k.fingerprint, first);
    assert.equal(k.refused, presented);
    // The CLI shows both.
    const show = runHaas(['switch', 'host-key', 'show', 'ovs1', '--endpoint', `unix:${d.socket}`]);
    assert.equal(show.code, 0, show.stderr);
    assert.ok(show.stdout.includes(`host key:  ${first}`) && show.stdout.includes(`refused:   ${presented}`), show.stdout);
  });

  it('goes through once the admin accepts the new key, and the key survives a daemon restart', async () => {
    const presented = sshd.hostKeyFingerprint();
    ok(await call('POST', '/switch/ovs1/host_key/accept', { fingerprint: presented }));
    assert.equal((await act('detach', 'red')).status, 'DONE');
    assert.deepEqual(lab.portConfig(node.port), { tag: null, trunks: [4095], vlan_mode: 'trunk', protected: true });
    await d.stop();
    await d.start();
    const k = await hostKey('ovs1');
    assert.equal(k.fingerprint, presented);
    assert.equal(k.origin, 'admin');
    assert.equal(k.refused, null);
    assert.equal((await act('connect', 'red')).status, 'DONE');
  });

  it('checks a key given at registration (switch register --host-key); deleting the switch forgets its key', async () => {
    const cli = (args: string[]) => runHaas([...args, '--endpoint', `unix:${d.socket}`], { input: sshd.password });
    const f = switchFields();
    const base = ['switch', 'register', 'ovs2', '--type', 'ovs', '--field', `ovs_bridge=${f.ovs_bridge}`, '--field', `hostname=${f.hostname}`,
      '--field', `port:=${f.port}`, '--field', `username=${f.username}`, '--switch-password-file', '-'];
    const bad = cli([...base, '--host-key', 'SHA256:not-a-fingerprint']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not an OpenSSH SHA-256 fingerprint/);
    assert.match(bad.stderr, /host key was not set/);
    ok(await call('DELETE', '/switch/ovs2'));
    const reg = cli([...base, '--host-key', FOREIGN]);
    assert.equal(reg.code, 0, reg.stderr);
    assert.equal((await hostKey('ovs2')).fingerprint, FOREIGN);
    // verify logs in like an action: refused before authentication.
    const v = await call('GET', '/switch/ovs2/verify');
    assert.equal(v.status, 502, v.text);
    assert.ok(v.json.msg.includes(`recorded ${FOREIGN}, presented ${sshd.hostKeyFingerprint()}`), v.json.msg);
    ok(await call('DELETE', '/switch/ovs2'));
    ok(await call('PUT', '/switch/ovs2', switchFields()));
    assert.equal((await hostKey('ovs2')).fingerprint, null, 'a switch registered again under the same name starts without a key');
    ok(await call('DELETE', '/switch/ovs2'));
    assert.equal((await call('GET', '/switch/ovs2/host_key')).status, 404);
  });
});
