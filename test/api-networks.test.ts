// Networks through the API (SPEC.md 3.3): who may create which network, VLAN ids and the pool,
// deletion, visibility, listings, attachments and the access list.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, type Credentials } from './lib/daemon.js';
import { callerAs, createUser, fails, ok, session } from './lib/fixtures.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

const admin: Credentials = { username: 'admin', password: 'admin-pw' };
let d: TestDaemon;
const call = callerAs(() => d);
let alice: Credentials; // member of pa
let bob: Credentials; // member of pb
let carol: Credentials; // member of pc
let eve: Credentials; // member of no project

function net(owner: string, access: string, net_id: string) {
  return { owner, access, net_id };
}

let portCount = 0;
/** Registers a node with cabled nics (in this order) and puts it in a project. */
async function addNode(node: string, project: string | null, nics: string[]): Promise<void> {
  ok(await call('PUT', `/node/${node}`, admin, { obm: { type: 'mock', host: `${node}-bmc`, user: 'u', password: 'p' } }));
  for (const nic of nics) {
    ok(await call('PUT', `/node/${node}/nic/${nic}`, admin, { macaddr: `${node}-${nic}` }));
    const port = encodeURIComponent(`gi1/0/${++portCount}`);
    ok(await call('PUT', `/switch/sw/port/${port}`, admin));
    ok(await call('POST', `/switch/sw/port/${port}/connect_nic`, admin, { node, nic }));
  }
  if (project) ok(await call('POST', `/project/${project}/connect_node`, admin, { node }));
}

/** Connects a nic to a network and waits until the switch change is DONE. */
async function attach(auth: Credentials, node: string, nic: string, network: string, channel?: string): Promise<void> {
  const body = channel === undefined ? { network } : { network, channel };
  const r = ok(await call('POST', `/node/${node}/nic/${nic}/connect_network`, auth, body), 202);
  const action = await waitAction(d, r.json.status_id, auth);
  assert.equal(action.status, 'DONE', `connect ${node}/${nic} to ${network}: ${JSON.stringify(action)}`);
}

async function detach(auth: Credentials, node: string, nic: string, network: string): Promise<void> {
  const r = ok(await call('POST', `/node/${node}/nic/${nic}/detach_network`, auth, { network }), 202);
  const action = await waitAction(d, r.json.status_id, auth);
  assert.equal(action.status, 'DONE', `detach ${node}/${nic} from ${network}: ${JSON.stringify(action)}`);
}

/** The VLAN id of a network, read from its tagged channel. */
async function vlanOf(name: string): Promise<number> {
  const r = ok(await call('GET', `/network/${name}`, admin));
  const tagged = r.json.channels[1] as string;
  assert.match(tagged, /^vlan\/\d+$/);
  return Number(tagged.slice('vlan/'.length));
}

before(async () => {
  d = await startDaemon({ auth: 'database', admins: [admin], config: '[driver.mock]\nswitch_delay_ms = 200\n' });
  for (const p of ['pa', 'pb', 'pc', 'pd']) ok(await call('PUT', `/project/${p}`, admin));
  alice = await createUser(session(d, admin), 'alice', { projects: ['pa'] });
  bob = await createUser(session(d, admin), 'bob', { projects: ['pb'] });
  carol = await createUser(session(d, admin), 'carol', { projects: ['pc'] });
  eve = await createUser(session(d, admin), 'eve');
  ok(await call('PUT', '/switch/sw', admin, { type: 'mock', hostname: 'sw.example', username: 'u', password: 'p' }));
});

after(async () => { await d?.cleanup(); });

describe('network_create', () => {
  test('an admin creates public or restricted networks, with a pool VLAN or a given one', async () => {
    const created = ok(await call('PUT', '/network/adm-pub-pool', admin, net('admin', '', '')));
    assert.equal(created.text, '', 'a successful create answers an empty body');
    const pooled = await vlanOf('adm-pub-pool');
    assert.ok(pooled >= 100 && pooled <= 4000, `pool id ${pooled} is in the default pool 100-4000`);
    assert.deepEqual(ok(await call('GET', '/network/adm-pub-pool', admin)).json, {
      name: 'adm-pub-pool', owner: 'admin', access: null,
      channels: ['vlan/native', `vlan/${pooled}`], 'connected-nodes': {},
    });

    ok(await call('PUT', '/network/adm-pub-given', admin, net('admin', '', '4001')));
    assert.deepEqual(ok(await call('GET', '/network/adm-pub-given', admin)).json, {
      name: 'adm-pub-given', owner: 'admin', access: null,
      channels: ['vlan/native', 'vlan/4001'], 'connected-nodes': {},
    });

    ok(await call('PUT', '/network/adm-pa-pool', admin, net('admin', 'pa', '')));
    const r = ok(await call('GET', '/network/adm-pa-pool', admin));
    assert.equal(r.json.owner, 'admin');
    assert.deepEqual(r.json.access, ['pa']);

    ok(await call('PUT', '/network/adm-pa-given', admin, net('admin', 'pa', '4002')));
    assert.deepEqual(ok(await call('GET', '/network/adm-pa-given', alice)).json, {
      name: 'adm-pa-given', owner: 'admin', access: ['pa'],
      channels: ['vlan/native', 'vlan/4002'], 'connected-nodes': {},
    });
  });

  test('a project member creates a network owned by and restricted to the project, from the pool', async () => {
    ok(await call('PUT', '/network/alice-net', alice, net('pa', 'pa', '')));
    const id = await vlanOf('alice-net');
    assert.deepEqual(ok(await call('GET', '/network/alice-net', alice)).json, {
      name: 'alice-net', owner: 'pa', access: ['pa'],
      channels: ['vlan/native', `vlan/${id}`], 'connected-nodes': {},
    });
    // Admins may create project-owned networks too.
    ok(await call('PUT', '/network/admin-made-pa-net', admin, net('pa', 'pa', '')));
    assert.equal(ok(await call('GET', '/network/admin-made-pa-net', alice)).json.owner, 'pa');
  });

  test('every other combination of owner, access and net_id is a BadArgumentError', async () => {
    const illegal = [
      net('pa', '', ''), // project-owned public
      net('pa', 'pb', ''), // project-owned, other project's access
      net('pa', 'pa', '4003'), // project-owned with a given id
      net('pa', '', '4003'),
      net('pa', 'pb', '4003'),
    ];
    for (const body of illegal) {
      fails(await call('PUT', '/network/illegal', admin, body), 400, 'BadArgumentError');
      fails(await call('PUT', '/network/illegal', alice, body), 400, 'BadArgumentError');
    }
    fails(await call('GET', '/network/illegal', admin), 404, 'NotFoundError');
  });

  test('owner, access and net_id are all required strings, and nothing else is taken', async () => {
    const bodies: unknown[] = [
      { owner: 'admin', access: '' },
      { owner: 'admin', net_id: '' },
      { access: '', net_id: '' },
      { owner: 'admin', access: '', net_id: 4050 },
      { owner: 'admin', access: null, net_id: '' },
      { owner: 'admin', access: '', net_id: '', extra: 1 },
    ];
    for (const body of bodies) fails(await call('PUT', '/network/typed', admin, body), 400, 'ValidationError');
    fails(await call('PUT', '/network/typed', admin), 400, 'ValidationError');
    fails(await call('GET', '/network/typed', admin), 404, 'NotFoundError');
  });

  test('a given net_id must be a VLAN id from 1 to 4094', async () => {
    for (const id of ['0', '4095', '4096', '5000', '-3', 'abc', '12a', '1.5', ' 5', '0x10']) {
      fails(await call('PUT', '/network/bad-id', admin, net('admin', '', id)), 400, 'BadArgumentError', /Invalid net_id/);
    }
    fails(await call('GET', '/network/bad-id', admin), 404, 'NotFoundError');
    ok(await call('PUT', '/network/vlan-lowest', admin, net('admin', '', '1')));
    ok(await call('PUT', '/network/vlan-highest', admin, net('admin', 'pa', '4094')));
    assert.equal(await vlanOf('vlan-lowest'), 1);
    assert.equal(await vlanOf('vlan-highest'), 4094);
  });

  test('an existing name is a DuplicateError before anything else is checked', async () => {
    ok(await call('PUT', '/network/dup', admin, net('admin', '', '4010')));
    fails(await call('PUT', '/network/dup', admin, net('admin', '', '4010')), 409, 'DuplicateError');
    fails(await call('PUT', '/network/dup', admin, net('nope', 'nope', 'abc')), 409, 'DuplicateError');
    fails(await call('PUT', '/network/dup', admin, net('pa', '', '')), 409, 'DuplicateError');
    // Before authorization too: alice may not create admin-owned or pb-owned networks.
    fails(await call('PUT', '/network/dup', alice, net('admin', '', '')), 409, 'DuplicateError');
    fails(await call('PUT', '/network/dup', alice, net('pb', 'pb', '')), 409, 'DuplicateError');
  });

  test('an unknown owner or access project is a NotFoundError', async () => {
    fails(await call('PUT', '/network/lost', admin, net('nope', 'nope', '')), 404, 'NotFoundError');
    fails(await call('PUT', '/network/lost', admin, net('admin', 'nope', '')), 404, 'NotFoundError');
    fails(await call('PUT', '/network/lost', admin, net('admin', 'nope', '4011')), 404, 'NotFoundError');
    fails(await call('GET', '/network/lost', admin), 404, 'NotFoundError');
  });

  test('only admins create admin-owned networks, only members create their project\'s', async () => {
    fails(await call('PUT', '/network/grab', alice, net('admin', '', '')), 401, 'AuthorizationError');
    fails(await call('PUT', '/network/grab', alice, net('admin', 'pa', '')), 401, 'AuthorizationError');
    fails(await call('PUT', '/network/grab', alice, net('admin', '', '4012')), 401, 'AuthorizationError');
    fails(await call('PUT', '/network/grab', alice, net('pb', 'pb', '')), 401, 'AuthorizationError');
    fails(await call('PUT', '/network/grab', eve, net('pa', 'pa', '')), 401, 'AuthorizationError');
    fails(await call('PUT', '/network/grab', null, net('admin', '', '')), 401, 'AuthorizationError');
    fails(await call('GET', '/network/grab', admin), 404, 'NotFoundError');
  });

  test('a given id already used by another network is not available, inside the pool or not', async () => {
    ok(await call('PUT', '/network/used-a', admin, net('admin', '', '4020')));
    fails(await call('PUT', '/network/used-b', admin, net('admin', 'pa', '4020')), 409, 'BlockedError', /Network ID is not available/);
    ok(await call('PUT', '/network/from-pool', admin, net('admin', '', '')));
    const id = String(await vlanOf('from-pool'));
    fails(await call('PUT', '/network/used-c', admin, net('admin', '', id)), 409, 'BlockedError', /Network ID is not available/);
    fails(await call('GET', '/network/used-b', admin), 404, 'NotFoundError');
    fails(await call('GET', '/network/used-c', admin), 404, 'NotFoundError');
  });
});

describe('the VLAN pool', () => {
  let pool: TestDaemon;
  const onPool = (method: string, path: string, body?: unknown) => pool.request(method, `/v0${path}`, { body });
  const create = (name: string, net_id = '') => onPool('PUT', `/network/${name}`, net('admin', '', net_id));
  async function idOf(name: string): Promise<string> {
    const r = ok(await onPool('GET', `/network/${name}`));
    return (r.json.channels[1] as string).slice('vlan/'.length);
  }

  before(async () => {
    pool = await startDaemon({ auth: 'null', config: '[network]\nvlan_pool = 100-102,200\n' });
  });
  after(async () => { await pool?.cleanup(); });

  test('allocation hands out the lowest free id, reuses freed ids and then runs out', async () => {
    for (const name of ['a', 'b', 'c', 'd']) ok(await create(name));
    assert.deepEqual([await idOf('a'), await idOf('b'), await idOf('c'), await idOf('d')], ['100', '101', '102', '200']);
    fails(await create('e'), 409, 'AllocationError');
    fails(await onPool('GET', '/network/e'), 404, 'NotFoundError');

    ok(await onPool('DELETE', '/network/b'));
    ok(await create('e'));
    assert.equal(await idOf('e'), '101');
    ok(await onPool('DELETE', '/network/c'));
    ok(await onPool('DELETE', '/network/a'));
    ok(await create('f'));
    ok(await create('g'));
    assert.equal(await idOf('f'), '100');
    assert.equal(await idOf('g'), '102');
    fails(await create('h'), 409, 'AllocationError');

    for (const name of ['d', 'e', 'f', 'g']) ok(await onPool('DELETE', `/network/${name}`));
  });

  test('a given id inside the pool counts as allocated, and is freed with its network', async () => {
    ok(await create('given-101', '101'));
    for (const name of ['p1', 'p2', 'p3']) ok(await create(name));
    assert.deepEqual([await idOf('p1'), await idOf('p2'), await idOf('p3')], ['100', '102', '200']);
    fails(await create('p4'), 409, 'AllocationError');
    fails(await create('given-102', '102'), 409, 'BlockedError', /Network ID is not available/);

    // Ids outside the pool do not use it up, but are still unique.
    ok(await create('given-4000', '4000'));
    fails(await create('given-4000-again', '4000'), 409, 'BlockedError', /Network ID is not available/);

    ok(await onPool('DELETE', '/network/given-101'));
    ok(await create('p5'));
    assert.equal(await idOf('p5'), '101');
    ok(await onPool('DELETE', '/network/given-4000'));
    ok(await create('given-4000', '4000'));
  });
});

describe('network_delete', () => {
  before(async () => {
    await addNode('del-node', 'pa', ['eth0']);
  });

  test('members of the owner project delete its networks; admin-owned ones only admins', async () => {
    ok(await call('PUT', '/network/del-pa', alice, net('pa', 'pa', '')));
    fails(await call('DELETE', '/network/del-pa', bob), 401, 'AuthorizationError');
    fails(await call('DELETE', '/network/del-pa', eve), 401, 'AuthorizationError');
    fails(await call('DELETE', '/network/del-pa', null), 401, 'AuthorizationError');
    const r = ok(await call('DELETE', '/network/del-pa', alice));
    assert.equal(r.text, '');
    fails(await call('GET', '/network/del-pa', admin), 404, 'NotFoundError');

    ok(await call('PUT', '/network/del-adm', admin, net('admin', 'pa', '')));
    fails(await call('DELETE', '/network/del-adm', alice), 401, 'AuthorizationError');
    ok(await call('DELETE', '/network/del-adm', admin));

    ok(await call('PUT', '/network/del-pa2', alice, net('pa', 'pa', '')));
    ok(await call('DELETE', '/network/del-pa2', admin));

    fails(await call('DELETE', '/network/never-was', admin), 404, 'NotFoundError');
    fails(await call('DELETE', '/network/never-was', alice), 404, 'NotFoundError');
  });

  test('a network with a pending action or an attachment is blocked until detached', async () => {
    ok(await call('PUT', '/network/busy', alice, net('pa', 'pa', '')));
    const r = ok(await call('POST', '/node/del-node/nic/eth0/connect_network', alice, { network: 'busy' }), 202);
    // HIL's words (SPEC section 4); the mock switch takes 200 ms, so the action is still PENDING.
    fails(await call('DELETE', '/network/busy', alice), 409, 'BlockedError', /^There are pending actions on this network$/);
    assert.equal((await waitAction(d, r.json.status_id, alice)).status, 'DONE');

    fails(await call('DELETE', '/network/busy', alice), 409, 'BlockedError', /^Network still connected to nodes$/);
    fails(await call('DELETE', '/network/busy', admin), 409, 'BlockedError');
    await detach(alice, 'del-node', 'eth0', 'busy');
    ok(await call('DELETE', '/network/busy', alice));
  });
});

describe('seeing networks', () => {
  // show-pub: admin-owned public; show-pa: owned by pa, shared with pb.
  before(async () => {
    await addNode('sa1', 'pa', ['eth0', 'eth1']);
    await addNode('sa2', 'pa', ['nic-b', 'nic-a']);
    await addNode('sb1', 'pb', ['eth0', 'eth1']);
    await addNode('sc1', 'pc', ['eth0']);
    ok(await call('PUT', '/network/show-pub', admin, net('admin', '', '4030')));
    ok(await call('PUT', '/network/show-pa', alice, net('pa', 'pa', '')));
    ok(await call('PUT', '/network/show-pa/access/pb', alice));
    await attach(alice, 'sa1', 'eth0', 'show-pub');
    await attach(bob, 'sb1', 'eth0', 'show-pub');
    await attach(alice, 'sa1', 'eth1', 'show-pa');
    await attach(alice, 'sa2', 'nic-b', 'show-pa');
    await attach(alice, 'sa2', 'nic-a', 'show-pa');
    await attach(bob, 'sb1', 'eth1', 'show-pa');
  });

  describe('show_network', () => {
    test('shows exactly name, owner, access, channels and connected nodes', async () => {
      assert.deepEqual(ok(await call('GET', '/network/show-pub', admin)).json, {
        name: 'show-pub', owner: 'admin', access: null,
        channels: ['vlan/native', 'vlan/4030'],
        'connected-nodes': { sa1: ['eth0'], sb1: ['eth0'] },
      });
    });

    test('any user sees a public network, but only the nodes of their own projects', async () => {
      assert.deepEqual(ok(await call('GET', '/network/show-pub', eve)).json['connected-nodes'], {});
      assert.deepEqual(ok(await call('GET', '/network/show-pub', alice)).json['connected-nodes'], { sa1: ['eth0'] });
      assert.deepEqual(ok(await call('GET', '/network/show-pub', bob)).json['connected-nodes'], { sb1: ['eth0'] });
      assert.deepEqual(ok(await call('GET', '/network/show-pub', carol)).json['connected-nodes'], {});
      fails(await call('GET', '/network/show-pub', null), 401, 'AuthorizationError');
    });

    test('a restricted network is seen by members of projects on its access list', async () => {
      const id = await vlanOf('show-pa');
      const all = {
        name: 'show-pa', owner: 'pa', access: ['pa', 'pb'],
        channels: ['vlan/native', `vlan/${id}`],
        // nics in registration order: nic-b was registered before nic-a
        'connected-nodes': { sa1: ['eth1'], sa2: ['nic-b', 'nic-a'], sb1: ['eth1'] },
      };
      assert.deepEqual(ok(await call('GET', '/network/show-pa', alice)).json, all, 'the owner sees every attachment');
      assert.deepEqual(ok(await call('GET', '/network/show-pa', admin)).json, all);
      assert.deepEqual(ok(await call('GET', '/network/show-pa', bob)).json, { ...all, 'connected-nodes': { sb1: ['eth1'] } });
      fails(await call('GET', '/network/show-pa', carol), 401, 'AuthorizationError');
      fails(await call('GET', '/network/show-pa', eve), 401, 'AuthorizationError');
    });

    test('the access list is in the order projects were granted', async () => {
      ok(await call('PUT', '/network/order-net', admin, net('admin', 'pc', '4031')));
      ok(await call('PUT', '/network/order-net/access/pa', admin));
      ok(await call('PUT', '/network/order-net/access/pb', admin));
      assert.deepEqual(ok(await call('GET', '/network/order-net', carol)).json.access, ['pc', 'pa', 'pb']);
    });

    test('an unknown network is a NotFoundError for anyone', async () => {
      fails(await call('GET', '/network/nowhere', admin), 404, 'NotFoundError');
      fails(await call('GET', '/network/nowhere', eve), 404, 'NotFoundError');
    });
  });

  describe('list_networks', () => {
    test('admins see every network with its id and sorted projects', async () => {
      const r = ok(await call('GET', '/networks', admin));
      for (const [name, entry] of Object.entries(r.json as Record<string, any>)) {
        assert.deepEqual(Object.keys(entry).sort(), ['network_id', 'projects'], name);
      }
      assert.equal(String(r.json['show-pub'].network_id), '4030');
      assert.equal(r.json['show-pub'].projects, null);
      assert.equal(String(r.json['show-pa'].network_id), String(await vlanOf('show-pa')));
      assert.deepEqual(r.json['show-pa'].projects, ['pa', 'pb']);
      assert.deepEqual(r.json['order-net'].projects, ['pa', 'pb', 'pc'], 'projects sorted, not in grant order');
      assert.equal(String(r.json['adm-pa-given'].network_id), '4002');
      assert.deepEqual(r.json['adm-pa-given'].projects, ['pa']);
    });

    test('other users see the public networks only', async () => {
      const all = ok(await call('GET', '/networks', admin)).json as Record<string, any>;
      const publicOnes = Object.fromEntries(Object.entries(all).filter(([, e]) => e.projects === null));
      assert.ok('show-pub' in publicOnes);
      for (const user of [alice, bob, eve]) {
        assert.deepEqual(ok(await call('GET', '/networks', user)).json, publicOnes, user.username);
      }
      fails(await call('GET', '/networks', null), 401, 'AuthorizationError');
    });
  });

  describe('list_project_networks', () => {
    test('lists, sorted, the networks whose access list holds the project; public ones are not listed', async () => {
      ok(await call('PUT', '/project/pl', admin));
      const pl = await createUser(session(d, admin), 'pl-user', { projects: ['pl'] });
      ok(await call('PUT', '/network/pl-z', admin, net('admin', 'pl', '')));
      ok(await call('PUT', '/network/pl-a', admin, net('admin', 'pl', '4032')));
      ok(await call('PUT', '/network/pl-m', pl, net('pl', 'pl', '')));
      ok(await call('PUT', '/network/pl-b', admin, net('admin', 'pa', '')));
      ok(await call('PUT', '/network/pl-b/access/pl', admin));
      ok(await call('PUT', '/network/pl-pub', admin, net('admin', '', '')));
      assert.deepEqual(ok(await call('GET', '/project/pl/networks', pl)).json, ['pl-a', 'pl-b', 'pl-m', 'pl-z']);
      assert.deepEqual(ok(await call('GET', '/project/pl/networks', admin)).json, ['pl-a', 'pl-b', 'pl-m', 'pl-z']);
      ok(await call('DELETE', '/network/pl-b/access/pl', admin));
      assert.deepEqual(ok(await call('GET', '/project/pl/networks', pl)).json, ['pl-a', 'pl-m', 'pl-z']);
      assert.deepEqual(ok(await call('GET', '/project/pd/networks', admin)).json, []);
    });

    test('only members of the project (or admins) may list it; an unknown project is a NotFoundError', async () => {
      fails(await call('GET', '/project/pl/networks', alice), 401, 'AuthorizationError');
      fails(await call('GET', '/project/pl/networks', eve), 401, 'AuthorizationError');
      fails(await call('GET', '/project/nope/networks', admin), 404, 'NotFoundError');
    });
  });

  describe('list_network_attachments', () => {
    const at = (nic: string, project: string) => ({ nic, channel: 'vlan/native', project });

    test('the owner sees every attachment, one entry per node with its lowest nic label', async () => {
      const every = { sa1: at('eth1', 'pa'), sa2: at('nic-a', 'pa'), sb1: at('eth1', 'pb') };
      assert.deepEqual(ok(await call('GET', '/network/show-pa/attachments', alice)).json, every);
      assert.deepEqual(ok(await call('GET', '/network/show-pa/attachments', admin)).json, every);
      assert.deepEqual(ok(await call('GET', '/network/show-pub/attachments', admin)).json,
        { sa1: at('eth0', 'pa'), sb1: at('eth0', 'pb') });
    });

    test('without ?project= only the owner may list', async () => {
      fails(await call('GET', '/network/show-pa/attachments', bob), 401, 'AuthorizationError');
      fails(await call('GET', '/network/show-pa/attachments', eve), 401, 'AuthorizationError');
      fails(await call('GET', '/network/show-pub/attachments', alice), 401, 'AuthorizationError');
    });

    test('?project= filters to that project\'s nodes, for the owner or for members of a project on the list', async () => {
      assert.deepEqual(ok(await call('GET', '/network/show-pa/attachments?project=pb', alice)).json, { sb1: at('eth1', 'pb') });
      assert.deepEqual(ok(await call('GET', '/network/show-pa/attachments?project=pa', alice)).json,
        { sa1: at('eth1', 'pa'), sa2: at('nic-a', 'pa') });
      assert.deepEqual(ok(await call('GET', '/network/show-pa/attachments?project=pb', bob)).json, { sb1: at('eth1', 'pb') });
      assert.deepEqual(ok(await call('GET', '/network/show-pa/attachments?project=pc', admin)).json, {});
      assert.deepEqual(ok(await call('GET', '/network/show-pub/attachments?project=pb', admin)).json, { sb1: at('eth0', 'pb') });

      fails(await call('GET', '/network/show-pa/attachments?project=pa', bob), 401, 'AuthorizationError');
      fails(await call('GET', '/network/show-pa/attachments?project=pc', carol), 401, 'AuthorizationError');
      fails(await call('GET', '/network/show-pa/attachments?project=pb', eve), 401, 'AuthorizationError');
      // A public network has no access list: only its owner lists it.
      fails(await call('GET', '/network/show-pub/attachments?project=pa', alice), 401, 'AuthorizationError');
    });

    test('project is the only query parameter, and it needs a value', async () => {
      fails(await call('GET', '/network/show-pa/attachments?project=', admin), 400, 'ValidationError');
      fails(await call('GET', '/network/show-pa/attachments?owner=pa', admin), 400, 'ValidationError');
    });

    test('an unknown network or project is a NotFoundError', async () => {
      fails(await call('GET', '/network/show-pa/attachments?project=nope', admin), 404, 'NotFoundError');
      fails(await call('GET', '/network/show-pa/attachments?project=nope', alice), 404, 'NotFoundError');
      fails(await call('GET', '/network/nowhere/attachments', admin), 404, 'NotFoundError');
      fails(await call('GET', '/network/nowhere/attachments?project=pa', alice), 404, 'NotFoundError');
    });
  });
});

describe('granting and revoking access', () => {
  test('granting a project on a public network restricts it to that project', async () => {
    ok(await call('PUT', '/network/gr-pub', admin, net('admin', '', '4040')));
    ok(await call('GET', '/network/gr-pub', eve));
    const r = ok(await call('PUT', '/network/gr-pub/access/pc', admin));
    assert.equal(r.text, '');
    assert.deepEqual(ok(await call('GET', '/network/gr-pub', carol)).json.access, ['pc']);
    fails(await call('GET', '/network/gr-pub', eve), 401, 'AuthorizationError');
    fails(await call('GET', '/network/gr-pub', alice), 401, 'AuthorizationError');
    assert.ok(!('gr-pub' in ok(await call('GET', '/networks', eve)).json));
    assert.deepEqual(ok(await call('GET', '/networks', admin)).json['gr-pub'].projects, ['pc']);
  });

  test('granting twice is a DuplicateError; unknown network or project is a NotFoundError first', async () => {
    fails(await call('PUT', '/network/gr-pub/access/pc', admin), 409, 'DuplicateError');
    fails(await call('PUT', '/network/show-pa/access/pa', alice), 409, 'DuplicateError');
    fails(await call('PUT', '/network/nope/access/pc', admin), 404, 'NotFoundError');
    fails(await call('PUT', '/network/gr-pub/access/nope', admin), 404, 'NotFoundError');
    fails(await call('PUT', '/network/nope/access/pa', alice), 404, 'NotFoundError');
    fails(await call('PUT', '/network/gr-pub/access/nope', alice), 404, 'NotFoundError');
  });

  test('members of the owner project or admins grant access', async () => {
    ok(await call('PUT', '/network/gr-pa', alice, net('pa', 'pa', '')));
    ok(await call('PUT', '/network/gr-pa/access/pb', alice));
    fails(await call('PUT', '/network/gr-pa/access/pc', bob), 401, 'AuthorizationError');
    fails(await call('PUT', '/network/gr-pa/access/pc', carol), 401, 'AuthorizationError');
    fails(await call('PUT', '/network/gr-pub/access/pa', alice), 401, 'AuthorizationError');
    fails(await call('PUT', '/network/gr-pub/access/pc', carol), 401, 'AuthorizationError');
    ok(await call('PUT', '/network/gr-pa/access/pc', admin));
    assert.deepEqual(ok(await call('GET', '/network/gr-pa', alice)).json.access, ['pa', 'pb', 'pc']);
    ok(await call('GET', '/network/gr-pa', carol));
  });

  test('revoking a project that is not on the list is a NotFoundError (always on a public network)', async () => {
    fails(await call('DELETE', '/network/gr-pa/access/pd', admin), 404, 'NotFoundError');
    fails(await call('DELETE', '/network/show-pub/access/pa', admin), 404, 'NotFoundError');
    fails(await call('DELETE', '/network/nope/access/pa', admin), 404, 'NotFoundError');
    fails(await call('DELETE', '/network/gr-pa/access/nope', admin), 404, 'NotFoundError');
  });

  test('the owner project\'s access cannot be revoked', async () => {
    const r = await call('DELETE', '/network/gr-pa/access/pa', admin);
    assert.equal(r.status, 409, r.text);
    assert.equal((await call('DELETE', '/network/gr-pa/access/pa', alice)).status, 409);
    assert.deepEqual(ok(await call('GET', '/network/gr-pa', alice)).json.access, ['pa', 'pb', 'pc']);
  });

  test('the owner, an admin or a member of the revoked project may revoke', async () => {
    fails(await call('DELETE', '/network/gr-pa/access/pc', bob), 401, 'AuthorizationError');
    fails(await call('DELETE', '/network/gr-pa/access/pc', eve), 401, 'AuthorizationError');
    fails(await call('DELETE', '/network/gr-pa/access/pc', null), 401, 'AuthorizationError');
    const r = ok(await call('DELETE', '/network/gr-pa/access/pc', carol));
    assert.equal(r.text, '');
    fails(await call('GET', '/network/gr-pa', carol), 401, 'AuthorizationError');
    ok(await call('DELETE', '/network/gr-pa/access/pb', alice));
    ok(await call('PUT', '/network/gr-pa/access/pb', alice));
    ok(await call('DELETE', '/network/gr-pa/access/pb', admin));
    assert.deepEqual(ok(await call('GET', '/network/gr-pa', alice)).json.access, ['pa']);
    // On an admin-owned network, a member of the project may give its access up.
    ok(await call('DELETE', '/network/gr-pub/access/pc', carol));
  });

  test('revoking the last project of an admin-owned network makes it public again', async () => {
    ok(await call('PUT', '/network/rv-last', admin, net('admin', 'pc', '4041')));
    fails(await call('GET', '/network/rv-last', eve), 401, 'AuthorizationError');
    ok(await call('DELETE', '/network/rv-last/access/pc', admin));
    assert.equal(ok(await call('GET', '/network/rv-last', eve)).json.access, null);
  });

  test('a project whose nodes are still attached keeps its access', async () => {
    await addNode('rv-node', 'pb', ['eth0']);
    ok(await call('PUT', '/network/rv-net', alice, net('pa', 'pa', '')));
    ok(await call('PUT', '/network/rv-net/access/pb', alice));
    await attach(bob, 'rv-node', 'eth0', 'rv-net');
    assert.equal((await call('DELETE', '/network/rv-net/access/pb', alice)).status, 409);
    assert.equal((await call('DELETE', '/network/rv-net/access/pb', admin)).status, 409);
    assert.deepEqual(ok(await call('GET', '/network/rv-net', bob)).json.access, ['pa', 'pb']);
    await detach(bob, 'rv-node', 'eth0', 'rv-net');
    ok(await call('DELETE', '/network/rv-net/access/pb', alice));
    assert.deepEqual(ok(await call('GET', '/network/rv-net', alice)).json.access, ['pa']);
  });
});
