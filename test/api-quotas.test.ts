// Projects' quotas (haas's extension): the config's defaults ([quotas], and
// [headnode] max_per_project under its old name), an admin's overrides, each
// limit refused at its boundary with a 409 BlockedError naming it, lowering
// below use taking nothing away, and who may see and change them; through the
// API and through the CLI on the executable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHaas, startDaemon, type Credentials, type Daemon } from './lib/daemon.js';
import {
  createNetwork, createProject, createUser, expectEmptyOk, expectError, expectStatus, fails, label, registerNode, session, type Session,
} from './lib/fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'haas-test-quotas-'));
const images = join(scratch, 'images');
mkdirSync(images);
// Creating a headnode only needs its base image to exist; nothing here starts one.
writeFileSync(join(images, 'tiny.qcow2'), '');
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The [headnode] lines that let headnodes be created (never started) in a test daemon. */
function headnodeSection(dir: string, extra = ''): string {
  return `[headnode]\nimage_dir = ${images}\nrun_dir = ${join(dir, 'hn')}\n${extra}`;
}

const adminCreds: Credentials = { username: 'quota-admin', password: 'quota-admin-pw' };

describe('quotas through the API', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let admin: Session;
  let member: Session;
  let memberCreds: Credentials;
  let outsider: Session;

  before(async () => {
    const dir = mkdtempSync(join(scratch, 'd-'));
    d = await startDaemon({
      auth: 'database', admins: [adminCreds],
      config: `[quotas]\nnodes = 2\nnetworks = 1\n${headnodeSection(dir, 'max_per_project = 2\n')}`,
    });
    admin = session(d, adminCreds);
    memberCreds = await createUser(admin, label('member'));
    member = session(d, memberCreds);
    outsider = session(d, await createUser(admin, label('outsider'), { projects: [await createProject(admin)] }));
  });
  after(async () => { await d?.cleanup(); });

  /** A new project with the member in it. */
  async function project(): Promise<string> {
    const p = await createProject(admin);
    expectEmptyOk(await admin.post(`/v0/auth/basic/user/${memberCreds.username}/add_project`, { project: p }));
    return p;
  }
  const reserve = async (s: Session, p: string) => s.post(`/v0/project/${p}/connect_node`, { node: await registerNode(admin) });
  const poolNetwork = (s: Session, p: string) => s.put(`/v0/network/${label('net')}`, { owner: p, access: p, net_id: '' });
  const headnode = (s: Session, p: string) => s.put(`/v0/headnode/${label('hn')}`, { project: p, base_img: 'tiny' });
  const quota = async (p: string) => { const r = await member.get(`/v0/project/${p}/quota`); expectStatus(r, 200); return r.json; };

  it('shows each limit with its source and the project\'s use; a new project holds nothing', async () => {
    const p = await project();
    assert.deepEqual(await quota(p), {
      project: p,
      nodes: { limit: 2, source: 'default', used: 0 },
      networks: { limit: 1, source: 'default', used: 0 },
      headnodes: { limit: 2, source: 'default', used: 0 },
    });
  });

  it('nodes: reservations up to the limit pass, the next is refused naming the limit, for an admin too', async () => {
    const p = await project();
    expectEmptyOk(await reserve(member, p));
    expectEmptyOk(await reserve(admin, p));
    const exact = `project "${p}" holds 2 nodes, its limit (nodes = 2); ask an admin to raise it`;
    const refused = await reserve(member, p);
    fails(refused, 409, 'BlockedError');
    assert.equal(refused.json.msg, exact);
    fails(await reserve(admin, p), 409, 'BlockedError', /\(nodes = 2\)/);
    assert.equal((await quota(p)).nodes.used, 2);
    // The refusals are in the audit trail, for the project's members to see, with who was refused.
    const trail = await member.get(`/v0/audit?project=${p}&operation=project_connect_node&outcome=refused`);
    expectStatus(trail, 200);
    assert.deepEqual(trail.json.entries.map((e: Record<string, unknown>) => [e.actor, e.status, e.error_type]),
      [[adminCreds.username, 409, 'BlockedError'], [memberCreds.username, 409, 'BlockedError']]);
    assert.equal((await admin.get(`/v0/project/${p}/nodes`)).json.length, 2);
  });

  it('networks: pool networks the project owns count; admin-owned ones it may use do not', async () => {
    const p = await project();
    expectEmptyOk(await poolNetwork(member, p));
    const refused = await poolNetwork(member, p);
    fails(refused, 409, 'BlockedError');
    assert.equal(refused.json.msg, `project "${p}" owns 1 network with a VLAN from the pool, its limit (networks = 1); ask an admin to raise it`);
    fails(await poolNetwork(admin, p), 409, 'BlockedError', /\(networks = 1\)/);
    await createNetwork(admin, { owner: 'admin', access: p });
    await createNetwork(admin, { owner: 'admin', access: p, net_id: '3001' });
    assert.deepEqual((await quota(p)).networks, { limit: 1, source: 'default', used: 1 });
  });

  it('headnodes: [headnode] max_per_project is the default limit', async () => {
    const p = await project();
    expectEmptyOk(await headnode(member, p));
    expectEmptyOk(await headnode(member, p));
    const refused = await headnode(member, p);
    fails(refused, 409, 'BlockedError');
    assert.equal(refused.json.msg, `project "${p}" has 2 headnodes, its limit (headnodes = 2); ask an admin to raise it`);
    assert.deepEqual((await quota(p)).headnodes, { limit: 2, source: 'default', used: 2 });
  });

  it('an override raises a default, lowering below use takes nothing away and refuses the next, null restores the default', async () => {
    const p = await project();
    expectEmptyOk(await reserve(member, p));
    expectEmptyOk(await reserve(member, p));
    const raised = await admin.put(`/v0/project/${p}/quota`, { nodes: 3 });
    expectStatus(raised, 200);
    assert.deepEqual(raised.json.nodes, { limit: 3, source: 'override', used: 2 });
    expectEmptyOk(await reserve(member, p));
    fails(await reserve(member, p), 409, 'BlockedError', /holds 3 nodes, its limit \(nodes = 3\)/);

    const lowered = await admin.put(`/v0/project/${p}/quota`, { nodes: 1 });
    assert.deepEqual(lowered.json.nodes, { limit: 1, source: 'override', used: 3 });
    assert.equal((await member.get(`/v0/project/${p}/nodes`)).json.length, 3, 'nothing is taken away');
    fails(await reserve(member, p), 409, 'BlockedError', new RegExp(`^project "${p}" holds 3 nodes, more than its limit \\(nodes = 1\\)`));
    // Giving a node back works while over the limit, and the limit still holds afterwards.
    const [first] = (await member.get(`/v0/project/${p}/nodes`)).json as string[];
    expectEmptyOk(await member.post(`/v0/project/${p}/detach_node`, { node: first }));
    fails(await reserve(member, p), 409, 'BlockedError', /holds 2 nodes, more than its limit/);

    const restored = await admin.put(`/v0/project/${p}/quota`, { nodes: null });
    assert.deepEqual(restored.json.nodes, { limit: 2, source: 'default', used: 2 });
    fails(await reserve(member, p), 409, 'BlockedError', /\(nodes = 2\)/);
  });

  it('an override lowers a default (0: none at all) and "unlimited" lifts a limit for one project only', async () => {
    const p = await project();
    const other = await project();
    const r = await admin.put(`/v0/project/${p}/quota`, { networks: 0, headnodes: 'unlimited' });
    expectStatus(r, 200);
    assert.deepEqual(r.json, {
      project: p,
      nodes: { limit: 2, source: 'default', used: 0 },
      networks: { limit: 0, source: 'override', used: 0 },
      headnodes: { limit: null, source: 'unlimited', used: 0 },
    });
    fails(await poolNetwork(member, p), 409, 'BlockedError', /owns 0 networks with a VLAN from the pool, its limit \(networks = 0\)/);
    for (let i = 0; i < 3; i++) expectEmptyOk(await headnode(member, p));
    assert.equal((await quota(p)).headnodes.used, 3);
    expectEmptyOk(await headnode(member, other));
    expectEmptyOk(await headnode(member, other));
    fails(await headnode(member, other), 409, 'BlockedError', /\(headnodes = 2\)/);
  });

  it('concurrent reservations cannot both take the last place', async () => {
    const p = await project();
    expectEmptyOk(await reserve(member, p));
    const nodes = await Promise.all([0, 1, 2, 3].map(() => registerNode(admin)));
    const answers = await Promise.all(nodes.map((node) => member.post(`/v0/project/${p}/connect_node`, { node })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409]);
    assert.equal((await quota(p)).nodes.used, 2);
  });

  it('members and admins see a project\'s quota; only admins change it or list every project\'s', async () => {
    const p = await project();
    expectStatus(await admin.get(`/v0/project/${p}/quota`), 200);
    expectError(await outsider.get(`/v0/project/${p}/quota`), 401, 'AuthorizationError');
    expectError(await member.put(`/v0/project/${p}/quota`, { nodes: 100 }), 401, 'AuthorizationError');
    expectError(await member.get('/v0/quotas'), 401, 'AuthorizationError');
    assert.equal((await quota(p)).nodes.limit, 2, 'the refused change changed nothing');
    expectError(await admin.get('/v0/project/no-such-project/quota'), 404, 'NotFoundError');
    expectError(await admin.put('/v0/project/no-such-project/quota', { nodes: 1 }), 404, 'NotFoundError');

    expectStatus(await admin.put(`/v0/project/${p}/quota`, { networks: 'unlimited' }), 200);
    expectEmptyOk(await reserve(member, p));
    const all = await admin.get('/v0/quotas');
    expectStatus(all, 200);
    const labels = (all.json as { project: string }[]).map((q) => q.project);
    assert.deepEqual(labels, [...labels].sort());
    assert.deepEqual(all.json.find((q: { project: string }) => q.project === p), {
      project: p,
      nodes: { limit: 2, source: 'default', used: 1 },
      networks: { limit: null, source: 'unlimited', used: 0 },
      headnodes: { limit: 2, source: 'default', used: 0 },
    });
  });

  it('refuses a malformed change, and a project with overrides can still be deleted', async () => {
    const p = await createProject(admin);
    for (const body of [{ nodes: -1 }, { nodes: 1.5 }, { nodes: 'lots' }, { nodes: '3' }, { nodes: true }]) {
      expectError(await admin.put(`/v0/project/${p}/quota`, body), 400, 'ValidationError', JSON.stringify(body));
    }
    expectError(await admin.put(`/v0/project/${p}/quota`, { cpus: 1 }), 400, 'ValidationError');
    expectStatus(await admin.put(`/v0/project/${p}/quota`, { nodes: 5, headnodes: 'unlimited' }), 200);
    expectEmptyOk(await admin.delete(`/v0/project/${p}`));
    expectEmptyOk(await admin.put(`/v0/project/${p}`));
    assert.deepEqual((await admin.get(`/v0/project/${p}/quota`)).json.nodes, { limit: 2, source: 'default', used: 0 }, 'a new project of that name starts afresh');
  });
});

describe('quotas: the defaults', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  before(async () => {
    const dir = mkdtempSync(join(scratch, 'd-'));
    d = await startDaemon({ auth: 'database', admins: [adminCreds], config: `[quotas]\nheadnodes = 1\n${headnodeSection(dir)}` });
  });
  after(async () => { await d?.cleanup(); });

  it('nodes and networks are unlimited unless set; [quotas] headnodes sets the headnode limit', async () => {
    const admin = session(d, adminCreds);
    const p = await createProject(admin);
    for (let i = 0; i < 3; i++) expectEmptyOk(await admin.post(`/v0/project/${p}/connect_node`, { node: await registerNode(admin) }));
    for (let i = 0; i < 2; i++) await createNetwork(admin, { owner: p, access: p });
    expectEmptyOk(await admin.put(`/v0/headnode/${label('hn')}`, { project: p, base_img: 'tiny' }));
    fails(await admin.put(`/v0/headnode/${label('hn')}`, { project: p, base_img: 'tiny' }), 409, 'BlockedError', /has 1 headnode, its limit \(headnodes = 1\)/);
    assert.deepEqual((await admin.get(`/v0/project/${p}/quota`)).json, {
      project: p,
      nodes: { limit: null, source: 'default', used: 3 },
      networks: { limit: null, source: 'default', used: 2 },
      headnodes: { limit: 1, source: 'default', used: 1 },
    });
  });
});

describe('quotas through the CLI', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let member: Credentials;
  let p: string;
  const haas = (who: Credentials, args: string[]) => runHaas(args, {
    env: { HAAS_ENDPOINT: `unix:${d.socket}`, HAAS_USERNAME: who.username, HAAS_PASSWORD: who.password, HAAS_CLIENT_CONFIG: join(scratch, 'none.conf') },
  });
  const ok = (who: Credentials, args: string[]) => {
    const r = haas(who, args);
    assert.equal(r.code, 0, `haas ${args.join(' ')} -> ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    const dir = mkdtempSync(join(scratch, 'd-'));
    d = await startDaemon({ auth: 'database', admins: [adminCreds], config: `[quotas]\nnodes = 1\n${headnodeSection(dir)}` });
    const admin = session(d, adminCreds);
    p = await createProject(admin, label('research'));
    member = await createUser(admin, label('member'), { projects: [p] });
  });
  after(async () => { await d?.cleanup(); });

  it('haas project quota shows used, limit and source per kind, as a table or --json', () => {
    assert.equal(ok(member, ['project', 'quota', p]), [
      'KIND       USED  LIMIT      SOURCE',
      'nodes      0     1          default',
      'networks   0     unlimited  default',
      'headnodes  0     10         default',
      '',
    ].join('\n'));
    assert.deepEqual(JSON.parse(ok(member, ['project', 'quota', p, '--json'])).nodes, { limit: 1, source: 'default', used: 0 });
  });

  it('a reservation past the limit fails with the limit named; haas project set-quota raises it, lifts it and resets it', async () => {
    const nodes = [await registerNode(session(d, adminCreds)), await registerNode(session(d, adminCreds))];
    ok(member, ['project', 'connect-node', p, nodes[0]!]);
    const refused = haas(member, ['project', 'connect-node', p, nodes[1]!]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`project "${p}" holds 1 node, its limit \\(nodes = 1\\); ask an admin to raise it`));

    const denied = haas(member, ['project', 'set-quota', p, '--nodes', '5']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /administrative access/);

    const set = ok(adminCreds, ['project', 'set-quota', p, '--nodes', '2', '--headnodes', 'unlimited']);
    assert.match(set, /^nodes +1 +2 +override$/m);
    assert.match(set, /^headnodes +0 +unlimited +unlimited$/m);
    ok(member, ['project', 'connect-node', p, nodes[1]!]);
    const reset = JSON.parse(ok(adminCreds, ['project', 'set-quota', p, '--nodes', 'default', '--json']));
    assert.deepEqual(reset.nodes, { limit: 1, source: 'default', used: 2 });
    assert.deepEqual(reset.headnodes, { limit: null, source: 'unlimited', used: 0 });

    assert.match(ok(adminCreds, ['project', 'quotas']), new RegExp(`^${p} +2/1 +0/unlimited +0/unlimited$`, 'm'));
  });

  it('set-quota refuses a bad value and an empty change (usage errors, exit 2)', () => {
    const bad = haas(adminCreds, ['project', 'set-quota', p, '--nodes', 'many']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr + bad.stdout, /--nodes: expected a number, "unlimited" or "default", got "many"/);
    assert.equal(haas(adminCreds, ['project', 'set-quota', p]).code, 2);
  });
});
