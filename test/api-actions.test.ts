// Networking actions through the API (SPEC.md 3.2, 3.4 port_revert, section 4): connecting and
// detaching nics, the order of node_connect_network's checks, the action queue and its states.
// The mock switch waits switch_delay_ms per action, so PENDING states can be observed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, type ApiResponse, type Credentials } from './lib/daemon.js';
import { callerAs, createUser, fails, ok, session } from './lib/fixtures.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

const admin: Credentials = { username: 'admin', password: 'admin-pw' };
const BLOCKED_BY_PENDING = /A networking operation is already active on the nic/;
let d: TestDaemon;
const call = callerAs(() => d);
let alice: Credentials; // member of pa
let bob: Credentials; // member of pb
let eve: Credentials; // member of no project
let paNetId: number; // VLAN of pa-net
let paNet2Id: number; // VLAN of pa-net2

const portCount: Record<string, number> = {};
/** Registers a node; nics listed in `cabled` get a fresh port on `sw`, the others stay uncabled. Returns nic -> port. */
async function addNode(node: string, project: string | null, cabled: string[], uncabled: string[] = [], sw = 'sw') {
  const ports: Record<string, string> = {};
  ok(await call('PUT', `/node/${node}`, admin, { obm: { type: 'mock', host: `${node}-bmc`, user: 'u', password: 'p' } }));
  for (const nic of [...cabled, ...uncabled]) ok(await call('PUT', `/node/${node}/nic/${nic}`, admin, { macaddr: `${node}-${nic}` }));
  for (const nic of cabled) {
    portCount[sw] = (portCount[sw] ?? 0) + 1;
    const port = `gi1/0/${portCount[sw]}`;
    ok(await call('PUT', `/switch/${sw}/port/${encodeURIComponent(port)}`, admin));
    ok(await call('POST', `/switch/${sw}/port/${encodeURIComponent(port)}/connect_nic`, admin, { node, nic }));
    ports[nic] = port;
  }
  if (project) ok(await call('POST', `/project/${project}/connect_node`, admin, { node }));
  return ports;
}

function connect(auth: Credentials | null, node: string, nic: string, network: string, channel?: string) {
  const body = channel === undefined ? { network } : { network, channel };
  return call('POST', `/node/${node}/nic/${nic}/connect_network`, auth, body);
}

function detach(auth: Credentials | null, node: string, nic: string, network: string) {
  return call('POST', `/node/${node}/nic/${nic}/detach_network`, auth, { network });
}

function revert(auth: Credentials | null, port: string, sw = 'sw') {
  return call('POST', `/switch/${sw}/port/${encodeURIComponent(port)}/revert`, auth);
}

/** The status id of a queued action, checking the answer's exact shape. */
function queued(r: ApiResponse, status = 202): string {
  ok(r, status);
  assert.deepEqual(Object.keys(r.json), ['status_id']);
  assert.equal(typeof r.json.status_id, 'string');
  return r.json.status_id;
}

async function done(id: string, auth: Credentials = admin): Promise<any> {
  const action = await waitAction(d, id, auth);
  assert.equal(action.status, 'DONE', JSON.stringify(action));
  return action;
}

async function networksOn(node: string, nic: string, auth: Credentials = admin): Promise<Record<string, string>> {
  const r = ok(await call('GET', `/node/${node}`, auth));
  const entry = (r.json.nics as any[]).find((n) => n.label === nic);
  assert.ok(entry, `${node} has nic ${nic}`);
  return entry.networks;
}

async function vlanOf(name: string): Promise<number> {
  const r = ok(await call('GET', `/network/${name}`, admin));
  return Number((r.json.channels[1] as string).slice('vlan/'.length));
}

before(async () => {
  d = await startDaemon({ auth: 'database', admins: [admin], config: '[driver.mock]\nswitch_delay_ms = 300\n' });
  for (const p of ['pa', 'pb']) ok(await call('PUT', `/project/${p}`, admin));
  alice = await createUser(session(d, admin), 'alice', { projects: ['pa'] });
  bob = await createUser(session(d, admin), 'bob', { projects: ['pb'] });
  eve = await createUser(session(d, admin), 'eve');
  ok(await call('PUT', '/switch/sw', admin, { type: 'mock', hostname: 'sw.example', username: 'u', password: 'p' }));
  ok(await call('PUT', '/network/pub', admin, { owner: 'admin', access: '', net_id: '3001' }));
  ok(await call('PUT', '/network/pa-net', alice, { owner: 'pa', access: 'pa', net_id: '' }));
  ok(await call('PUT', '/network/pa-net2', alice, { owner: 'pa', access: 'pa', net_id: '' }));
  ok(await call('PUT', '/network/pb-net', bob, { owner: 'pb', access: 'pb', net_id: '' }));
  paNetId = await vlanOf('pa-net');
  paNet2Id = await vlanOf('pa-net2');
});

after(async () => { await d?.cleanup(); });

describe('connecting a nic', () => {
  test('connect answers 202 with a status id; the attachment appears only once the action is DONE', async () => {
    const ports = await addNode('n1', 'pa', ['eth0']);
    const port = encodeURIComponent(ports.eth0!);
    const id = queued(await connect(alice, 'n1', 'eth0', 'pa-net'));

    const pending = { status: 'PENDING', node: 'n1', nic: 'eth0', type: 'modify_port', channel: 'vlan/native', new_network: 'pa-net' };
    assert.deepEqual(ok(await call('GET', `/networking_action/${id}`, alice)).json, pending);
    assert.deepEqual(await networksOn('n1', 'eth0', alice), {});
    assert.deepEqual(ok(await call('GET', `/switch/sw/port/${port}`, admin)).json, { node: 'n1', nic: 'eth0', networks: {} });
    assert.deepEqual(ok(await call('GET', '/network/pa-net', alice)).json['connected-nodes'], {});

    assert.deepEqual(await done(id, alice), { ...pending, status: 'DONE' });
    assert.deepEqual(await networksOn('n1', 'eth0', alice), { 'vlan/native': 'pa-net' });
    assert.deepEqual(ok(await call('GET', `/switch/sw/port/${port}`, admin)).json,
      { node: 'n1', nic: 'eth0', networks: { 'vlan/native': 'pa-net' } });
    assert.deepEqual(ok(await call('GET', '/network/pa-net', alice)).json['connected-nodes'], { n1: ['eth0'] });
  });

  test('a tagged channel is vlan/<id>; the mock switch takes a tagged network without a native one', async () => {
    const caps = ok(await call('GET', '/switch/sw', admin)).json.capabilities;
    assert.ok(caps.includes('nativeless-trunk-mode'), `mock capabilities: ${JSON.stringify(caps)}`);
    await addNode('n2', 'pa', ['eth0']);

    const tagged = queued(await connect(alice, 'n2', 'eth0', 'pa-net2', `vlan/${paNet2Id}`));
    assert.equal((await done(tagged, alice)).channel, `vlan/${paNet2Id}`);
    assert.deepEqual(await networksOn('n2', 'eth0'), { [`vlan/${paNet2Id}`]: 'pa-net2' });

    await done(queued(await connect(alice, 'n2', 'eth0', 'pa-net', 'vlan/native')), alice);
    assert.deepEqual(await networksOn('n2', 'eth0'), { 'vlan/native': 'pa-net', [`vlan/${paNet2Id}`]: 'pa-net2' });

    // ... and lets the native network go while a tagged one stays.
    await done(queued(await detach(alice, 'n2', 'eth0', 'pa-net')), alice);
    assert.deepEqual(await networksOn('n2', 'eth0'), { [`vlan/${paNet2Id}`]: 'pa-net2' });
  });

  test('a public network is open to nodes of any project', async () => {
    await addNode('nb', 'pb', ['eth0']);
    await done(queued(await connect(bob, 'nb', 'eth0', 'pub', 'vlan/3001')), bob);
    assert.deepEqual(await networksOn('nb', 'eth0', bob), { 'vlan/3001': 'pub' });
  });
});

describe('node_connect_network checks, in order', () => {
  before(async () => {
    await addNode('free1', null, ['eth0'], ['eth1']);
    await addNode('ca', 'pa', ['eth0'], ['eth1']);
    await addNode('cb', 'pb', ['eth0'], ['eth1']);
  });

  test('1. an unknown node, nic or network is a NotFoundError', async () => {
    fails(await connect(admin, 'nope', 'eth0', 'nope'), 404, 'NotFoundError');
    fails(await connect(admin, 'nope', 'eth0', 'pa-net'), 404, 'NotFoundError');
    fails(await connect(admin, 'ca', 'nope', 'pa-net'), 404, 'NotFoundError');
    fails(await connect(admin, 'ca', 'eth0', 'nope'), 404, 'NotFoundError');
    fails(await connect(admin, 'free1', 'eth0', 'nope'), 404, 'NotFoundError');
    fails(await connect(alice, 'cb', 'eth0', 'nope'), 404, 'NotFoundError');
    fails(await connect(alice, 'cb', 'nope', 'pa-net'), 404, 'NotFoundError');
  });

  test('2. a node in no project is a ProjectMismatchError, even for someone not allowed', async () => {
    fails(await connect(admin, 'free1', 'eth0', 'pub'), 409, 'ProjectMismatchError');
    fails(await connect(alice, 'free1', 'eth0', 'pub'), 409, 'ProjectMismatchError');
    fails(await connect(alice, 'free1', 'eth1', 'pb-net'), 409, 'ProjectMismatchError');
  });

  test('3. someone else\'s node is an AuthorizationError, before the cabling is looked at', async () => {
    fails(await connect(alice, 'cb', 'eth0', 'pub'), 401, 'AuthorizationError');
    fails(await connect(alice, 'cb', 'eth1', 'pa-net'), 401, 'AuthorizationError');
    fails(await connect(eve, 'cb', 'eth0', 'pub'), 401, 'AuthorizationError');
    fails(await connect(null, 'cb', 'eth0', 'pub'), 401, 'AuthorizationError');
  });

  test('4. an uncabled nic is a NotFoundError, before access to the network', async () => {
    fails(await connect(alice, 'ca', 'eth1', 'pa-net'), 404, 'NotFoundError');
    fails(await connect(alice, 'ca', 'eth1', 'pb-net'), 404, 'NotFoundError');
    fails(await connect(admin, 'ca', 'eth1', 'pb-net', 'bogus'), 404, 'NotFoundError');
  });

  test('5. a pending action on the nic is a BlockedError, before access to the network', async () => {
    const id = queued(await connect(alice, 'ca', 'eth0', 'pa-net'));
    fails(await connect(alice, 'ca', 'eth0', 'pb-net'), 409, 'BlockedError', BLOCKED_BY_PENDING);
    fails(await connect(alice, 'ca', 'eth0', 'pa-net2'), 409, 'BlockedError', BLOCKED_BY_PENDING);
    fails(await connect(alice, 'ca', 'eth0', 'pa-net'), 409, 'BlockedError', BLOCKED_BY_PENDING);
    await done(id, alice);
  });

  test('6. no access to the network is a ProjectMismatchError, before the nic\'s networks and the channel', async () => {
    fails(await connect(alice, 'ca', 'eth0', 'pb-net'), 409, 'ProjectMismatchError');
    fails(await connect(alice, 'ca', 'eth0', 'pb-net', 'vlan/native'), 409, 'ProjectMismatchError');
    fails(await connect(alice, 'ca', 'eth0', 'pb-net', 'bogus'), 409, 'ProjectMismatchError');
    // Access is the node's project's, not the caller's: an admin gets the same answer.
    fails(await connect(admin, 'ca', 'eth0', 'pb-net'), 409, 'ProjectMismatchError');
  });

  test('7. a network already on the nic is a BlockedError, before the channel', async () => {
    fails(await connect(alice, 'ca', 'eth0', 'pa-net', `vlan/${paNetId}`), 409, 'BlockedError');
    fails(await connect(alice, 'ca', 'eth0', 'pa-net', 'vlan/native'), 409, 'BlockedError');
    fails(await connect(alice, 'ca', 'eth0', 'pa-net', 'bogus'), 409, 'BlockedError');
  });

  test('8. a channel in use is a BlockedError', async () => {
    fails(await connect(alice, 'ca', 'eth0', 'pa-net2'), 409, 'BlockedError');
    fails(await connect(alice, 'ca', 'eth0', 'pa-net2', 'vlan/native'), 409, 'BlockedError');
  });

  test('9. a channel other than vlan/native or vlan/<the network\'s id> is a BadArgumentError', async () => {
    for (const channel of [`vlan/${paNetId}`, 'vlan/4095', 'vlan/', 'vlan/abc', 'bogus', 'native', `${paNet2Id}`, `vlan/0${paNet2Id}`]) {
      fails(await connect(alice, 'ca', 'eth0', 'pa-net2', channel), 400, 'BadArgumentError');
    }
    assert.deepEqual(await networksOn('ca', 'eth0'), { 'vlan/native': 'pa-net' });
  });
});

describe('show_networking_action', () => {
  test('an unknown id is a NotFoundError "status_id not found"', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      fails(await call('GET', `/networking_action/${id}`, admin), 404, 'NotFoundError', /status_id not found/);
      fails(await call('GET', `/networking_action/${id}`, alice), 404, 'NotFoundError', /status_id not found/);
    }
  });

  test('actions stay queryable after later ones, for the project the node is in now', async () => {
    await addNode('mv', 'pa', ['eth0']);
    ok(await call('PUT', '/node/mv/obm', admin, { enabled: false }));
    const first = queued(await connect(alice, 'mv', 'eth0', 'pub'));
    await done(first, alice);
    const second = queued(await detach(alice, 'mv', 'eth0', 'pub'));
    await done(second, alice);
    const firstAction = { status: 'DONE', node: 'mv', nic: 'eth0', type: 'modify_port', channel: 'vlan/native', new_network: 'pub' };
    const secondAction = { ...firstAction, new_network: null };
    assert.deepEqual(ok(await call('GET', `/networking_action/${first}`, alice)).json, firstAction);
    assert.deepEqual(ok(await call('GET', `/networking_action/${second}`, alice)).json, secondAction);
    assert.deepEqual(ok(await call('GET', `/networking_action/${first}`, admin)).json, firstAction);
    fails(await call('GET', `/networking_action/${first}`, bob), 401, 'AuthorizationError');
    fails(await call('GET', `/networking_action/${first}`, eve), 401, 'AuthorizationError');
    fails(await call('GET', `/networking_action/${first}`, null), 401, 'AuthorizationError');

    // The node becomes free: admins only.
    ok(await call('POST', '/project/pa/detach_node', alice, { node: 'mv' }));
    fails(await call('GET', `/networking_action/${first}`, alice), 401, 'AuthorizationError');
    assert.deepEqual(ok(await call('GET', `/networking_action/${first}`, admin)).json, firstAction);

    // The node moves to pb: its actions go with it.
    ok(await call('POST', '/project/pb/connect_node', admin, { node: 'mv' }));
    assert.deepEqual(ok(await call('GET', `/networking_action/${first}`, bob)).json, firstAction);
    assert.deepEqual(ok(await call('GET', `/networking_action/${second}`, bob)).json, secondAction);
    fails(await call('GET', `/networking_action/${second}`, alice), 401, 'AuthorizationError');
  });
});

describe('detaching a nic', () => {
  before(async () => {
    await addNode('dt', 'pa', ['eth0']);
    await addNode('free2', null, ['eth0']);
  });

  test('detach queues modify_port with the attachment\'s channel and no new network', async () => {
    await done(queued(await connect(alice, 'dt', 'eth0', 'pa-net')), alice);
    await done(queued(await connect(alice, 'dt', 'eth0', 'pa-net2', `vlan/${paNet2Id}`)), alice);
    const both = { 'vlan/native': 'pa-net', [`vlan/${paNet2Id}`]: 'pa-net2' };

    const id = queued(await detach(alice, 'dt', 'eth0', 'pa-net2'));
    const pending = { status: 'PENDING', node: 'dt', nic: 'eth0', type: 'modify_port', channel: `vlan/${paNet2Id}`, new_network: null };
    assert.deepEqual(ok(await call('GET', `/networking_action/${id}`, alice)).json, pending);
    assert.deepEqual(await networksOn('dt', 'eth0', alice), both, 'nothing changes while PENDING');
    assert.deepEqual(await done(id, alice), { ...pending, status: 'DONE' });
    assert.deepEqual(await networksOn('dt', 'eth0', alice), { 'vlan/native': 'pa-net' });

    const native = queued(await detach(alice, 'dt', 'eth0', 'pa-net'));
    assert.deepEqual(await done(native, alice),
      { status: 'DONE', node: 'dt', nic: 'eth0', type: 'modify_port', channel: 'vlan/native', new_network: null });
    assert.deepEqual(await networksOn('dt', 'eth0', alice), {});
    assert.deepEqual(ok(await call('GET', '/network/pa-net', alice)).json['connected-nodes'].dt, undefined);
  });

  test('a network that is not on the nic is a BadArgumentError; an unknown one a NotFoundError', async () => {
    fails(await detach(alice, 'dt', 'eth0', 'pa-net'), 400, 'BadArgumentError');
    fails(await detach(alice, 'dt', 'eth0', 'pub'), 400, 'BadArgumentError');
    fails(await detach(alice, 'dt', 'eth0', 'nope'), 404, 'NotFoundError');
    fails(await detach(alice, 'dt', 'nope', 'pa-net'), 404, 'NotFoundError');
  });

  test('a node in no project is a ProjectMismatchError; someone else\'s node an AuthorizationError', async () => {
    fails(await detach(admin, 'free2', 'eth0', 'pub'), 409, 'ProjectMismatchError');
    fails(await detach(bob, 'dt', 'eth0', 'pa-net'), 401, 'AuthorizationError');
  });

  test('a pending action is a BlockedError, checked before the nic\'s networks', async () => {
    const id = queued(await connect(alice, 'dt', 'eth0', 'pub'));
    fails(await detach(alice, 'dt', 'eth0', 'pub'), 409, 'BlockedError', BLOCKED_BY_PENDING);
    fails(await detach(alice, 'dt', 'eth0', 'pa-net'), 409, 'BlockedError', BLOCKED_BY_PENDING);
    await done(id, alice);
    await done(queued(await detach(alice, 'dt', 'eth0', 'pub')), alice);
    assert.deepEqual(await networksOn('dt', 'eth0'), {});
  });
});

describe('port_revert', () => {
  test('answers 200 with a status id and removes every network from the port once DONE', async () => {
    const ports = await addNode('rv', 'pa', ['eth0']);
    const port = ports.eth0!;
    await done(queued(await connect(alice, 'rv', 'eth0', 'pa-net')), alice);
    await done(queued(await connect(alice, 'rv', 'eth0', 'pa-net2', `vlan/${paNet2Id}`)), alice);

    const id = queued(await revert(admin, port), 200);
    const pending = { status: 'PENDING', node: 'rv', nic: 'eth0', type: 'revert_port', channel: '', new_network: null };
    assert.deepEqual(ok(await call('GET', `/networking_action/${id}`, alice)).json, pending);
    fails(await connect(alice, 'rv', 'eth0', 'pub'), 409, 'BlockedError', BLOCKED_BY_PENDING);
    fails(await detach(alice, 'rv', 'eth0', 'pa-net'), 409, 'BlockedError', BLOCKED_BY_PENDING);
    fails(await revert(admin, port), 409, 'BlockedError', BLOCKED_BY_PENDING);
    assert.equal(Object.keys(await networksOn('rv', 'eth0')).length, 2, 'nothing changes while PENDING');

    assert.deepEqual(await done(id, alice), { ...pending, status: 'DONE' });
    assert.deepEqual(await networksOn('rv', 'eth0'), {});
    assert.deepEqual(ok(await call('GET', `/switch/sw/port/${encodeURIComponent(port)}`, admin)).json,
      { node: 'rv', nic: 'eth0', networks: {} });
    assert.equal(ok(await call('GET', '/network/pa-net', alice)).json['connected-nodes'].rv, undefined);

    // Reverting a port with no networks is fine too.
    await done(queued(await revert(admin, port), 200));
  });

  test('a port with no nic cabled, or an unknown port, is a NotFoundError; only admins revert', async () => {
    ok(await call('PUT', `/switch/sw/port/${encodeURIComponent('te9/9/9')}`, admin));
    fails(await revert(admin, 'te9/9/9'), 404, 'NotFoundError');
    fails(await revert(admin, 'gi9/9/99'), 404, 'NotFoundError');
    fails(await revert(admin, 'gi1/0/1', 'nosuchswitch'), 404, 'NotFoundError');
    fails(await revert(alice, 'gi1/0/1'), 401, 'AuthorizationError');
  });
});

describe('a switch that cannot be reached', () => {
  test('its actions end in ERROR and change nothing, while another switch\'s actions complete', async () => {
    ok(await call('PUT', '/switch/badsw', admin, { type: 'mock', hostname: 'bad.invalid', username: 'u', password: 'p' }));
    const badPorts = await addNode('bad1', 'pa', ['eth0'], [], 'badsw');
    await addNode('good1', 'pa', ['eth0']);

    const bad = queued(await connect(alice, 'bad1', 'eth0', 'pa-net'));
    const good = queued(await connect(alice, 'good1', 'eth0', 'pa-net'));
    const failed = await waitAction(d, bad, alice);
    assert.deepEqual(failed, { status: 'ERROR', node: 'bad1', nic: 'eth0', type: 'modify_port', channel: 'vlan/native', new_network: 'pa-net' });
    await done(good, alice);
    // haas's extension (not in HIL's shape): the action's details carry the device's message.
    const details = ok(await call('GET', `/networking_action/${bad}/details`, alice)).json;
    assert.equal(details.status, 'ERROR');
    assert.match(details.message, /bad\.invalid/);
    assert.match(details.message, /unreachable/);

    assert.deepEqual(await networksOn('bad1', 'eth0'), {});
    assert.deepEqual(await networksOn('good1', 'eth0'), { 'vlan/native': 'pa-net' });
    assert.deepEqual(ok(await call('GET', `/switch/badsw/port/${encodeURIComponent(badPorts.eth0!)}`, admin)).json,
      { node: 'bad1', nic: 'eth0', networks: {} });
    const connected = ok(await call('GET', '/network/pa-net', alice)).json['connected-nodes'];
    assert.deepEqual(connected.good1, ['eth0']);
    assert.equal(connected.bad1, undefined);
  });

  test('an action in ERROR blocks nothing: the nic takes new actions and the network can be deleted', async () => {
    ok(await call('PUT', '/network/doomed-on-bad', alice, { owner: 'pa', access: 'pa', net_id: '' }));
    const failed = await waitAction(d, queued(await connect(alice, 'bad1', 'eth0', 'doomed-on-bad')), alice);
    assert.equal(failed.status, 'ERROR');
    ok(await call('DELETE', '/network/doomed-on-bad', alice));

    const again = await waitAction(d, queued(await connect(alice, 'bad1', 'eth0', 'pa-net')), alice);
    assert.equal(again.status, 'ERROR');
    const badPort = ok(await call('GET', '/node/bad1', admin)).json.nics[0].port;
    const reverted = await waitAction(d, queued(await revert(admin, badPort, 'badsw'), 200), admin);
    assert.deepEqual(reverted, { status: 'ERROR', node: 'bad1', nic: 'eth0', type: 'revert_port', channel: '', new_network: null });
  });
});

describe('one pending action per nic', () => {
  test('it blocks connect, detach and revert on that nic, not on the node\'s other nics', async () => {
    const ports = await addNode('pp', 'pa', ['eth0', 'eth1']);
    const first = queued(await connect(alice, 'pp', 'eth0', 'pub'));
    fails(await connect(alice, 'pp', 'eth0', 'pa-net', `vlan/${paNetId}`), 409, 'BlockedError', BLOCKED_BY_PENDING);
    fails(await detach(alice, 'pp', 'eth0', 'pub'), 409, 'BlockedError', BLOCKED_BY_PENDING);
    fails(await revert(admin, ports.eth0!), 409, 'BlockedError', BLOCKED_BY_PENDING);
    const other = queued(await connect(alice, 'pp', 'eth1', 'pa-net'));
    await done(first, alice);
    await done(other, alice);
    assert.deepEqual(await networksOn('pp', 'eth0'), { 'vlan/native': 'pub' });
    assert.deepEqual(await networksOn('pp', 'eth1'), { 'vlan/native': 'pa-net' });
  });

  test('it blocks project_detach_node and deleting the network it connects', async () => {
    await addNode('pd1', 'pa', ['eth0']);
    ok(await call('PUT', '/node/pd1/obm', admin, { enabled: false }));
    ok(await call('PUT', '/network/doomed', alice, { owner: 'pa', access: 'pa', net_id: '' }));

    const id = queued(await connect(alice, 'pd1', 'eth0', 'doomed'));
    fails(await call('POST', '/project/pa/detach_node', alice, { node: 'pd1' }), 409, 'BlockedError');
    fails(await call('DELETE', '/network/doomed', alice), 409, 'BlockedError');
    await done(id, alice);

    // Attached now: still blocked.
    fails(await call('POST', '/project/pa/detach_node', alice, { node: 'pd1' }), 409, 'BlockedError');
    fails(await call('DELETE', '/network/doomed', alice), 409, 'BlockedError');

    const off = queued(await detach(alice, 'pd1', 'eth0', 'doomed'));
    fails(await call('POST', '/project/pa/detach_node', alice, { node: 'pd1' }), 409, 'BlockedError');
    await done(off, alice);

    ok(await call('POST', '/project/pa/detach_node', alice, { node: 'pd1' }));
    assert.equal(ok(await call('GET', '/node/pd1', admin)).json.project, null);
    ok(await call('DELETE', '/network/doomed', alice));
  });
});
