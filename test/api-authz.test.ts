// Who may call what (SPEC 3 "Authorization", 3.1-3.4, 3.6, 3.7, 3.8 check order),
// under the database auth backend. One row per endpoint; each row runs once per
// caller, on fresh objects, and expects that caller's status: an allowed call must
// really succeed, a refused one is 401 AuthorizationError.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, type Daemon, type Credentials } from './lib/daemon.js';
import {
  session, label, expectError, expectStatus, createProject, registerNode, registerNic, registerSwitch, registerPort,
  cableNic, createUser, addUserToProject, createNetwork, connectNode, enableObm, readStream, mockObm,
  MOCK_SWITCH_FIELDS, type Session,
} from './lib/fixtures.js';
import { startVendorEmulator, type VendorEmulator } from './lab/vendor-emulator.js';

/** A well-formed SSH host key fingerprint of no real key. */
const FOREIGN_HOST_KEY = 'SHA256:' + 'C'.repeat(43);
let hostKeyEmulator: VendorEmulator | null = null;

/** A nexus switch (an SSH emulator) that presented a key other than the one on record: returns the presented one. */
async function switchWithRefusedKey(admin: Session): Promise<{ sw: string; presented: string }> {
  hostKeyEmulator ??= await startVendorEmulator({ vendor: 'nexus', ports: ['Ethernet1/1'] });
  const emu = hostKeyEmulator;
  const sw = label('sw');
  expectStatus(await admin.put(`/v0/switch/${sw}`, {
    type: 'nexus', hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, dummy_vlan: '2222',
  }), 200, 'setup switch');
  expectStatus(await admin.put(`/v0/switch/${sw}/host_key`, { fingerprint: FOREIGN_HOST_KEY }), 200, 'setup host key');
  expectStatus(await admin.put(`/v0/switch/${sw}/port/Ethernet1/1`), 200, 'setup port');
  // verify logs in: the emulator's key is refused, and noted.
  expectStatus(await admin.get(`/v0/switch/${sw}/verify`), 502, 'setup verify');
  return { sw, presented: emu.hostKeyFingerprint() };
}

type Caller = 'admin' | 'member' | 'outsider' | 'badPassword' | 'unknownUser' | 'anonymous';
const CALLERS: Caller[] = ['admin', 'member', 'outsider', 'badPassword', 'unknownUser', 'anonymous'];

/** Expected status per caller; the three unauthenticated callers get 401 unless the row says otherwise. */
type Expect = Record<'admin' | 'member' | 'outsider', number> & Partial<Record<'badPassword' | 'unknownUser' | 'anonymous', number>>;
/** "admin": administrative access only. */
const ADMIN = (ok = 200): Expect => ({ admin: ok, member: 401, outsider: 401 });
/** "project": a member of the project concerned, or an admin. */
const PROJECT = (ok = 200): Expect => ({ admin: ok, member: ok, outsider: 401 });
/** "auth": any authenticated user. */
const AUTH = (ok = 200): Expect => ({ admin: ok, member: ok, outsider: ok });
/** No credentials needed: every caller, even with wrong ones or none. */
const PUBLIC = (ok = 200): Expect => ({ admin: ok, member: ok, outsider: ok, badPassword: ok, unknownUser: ok, anonymous: ok });

/** The request a row makes: method, path (without /v0), optional body; or a console stream. */
type Call = { method: string; path: string; body?: unknown; stream?: boolean };

/**
 * Fresh objects for one row and one caller, built by the admin. `project` is a new
 * project the `member` user belongs to; the `outsider` user belongs to another one.
 */
class World {
  constructor(readonly d: Daemon, readonly admin: Session, readonly adminCreds: Credentials, readonly member: Credentials,
    /** The credentials the row's call is made with (null: none). */
    readonly caller: Credentials | null = null) {}

  /** A new project with the member in it. */
  async project(): Promise<string> {
    const p = await createProject(this.admin);
    await addUserToProject(this.admin, this.member.username, p);
    return p;
  }

  /** A node in `p` with one nic cabled to a mock switch port; optionally with its OBM enabled. */
  async nodeIn(p: string | null, opts: { obm?: boolean } = {}): Promise<{ node: string; nic: string; sw: string; port: string }> {
    const node = await registerNode(this.admin);
    const nic = await registerNic(this.admin, node);
    const sw = await registerSwitch(this.admin);
    const port = await registerPort(this.admin, sw, 'gi1/0/1');
    await cableNic(this.admin, sw, port, node, nic);
    if (p) await connectNode(this.admin, p, node);
    if (opts.obm) await enableObm(this.admin, node);
    return { node, nic, sw, port };
  }

  /** A node in `p` whose nic is attached (DONE) to a network owned by `p`. */
  async attachedNode(p: string): Promise<{ node: string; nic: string; net: string; statusId: string }> {
    const { node, nic } = await this.nodeIn(p);
    const net = await createNetwork(this.admin, { owner: p, access: p });
    const r = await this.admin.post(`/v0/node/${node}/nic/${nic}/connect_network`, { network: net });
    expectStatus(r, 202, 'setup connect_network');
    const action = await waitAction(this.d, r.json.status_id, this.adminCreds);
    assert.equal(action.status, 'DONE', 'setup connect_network applied');
    return { node, nic, net, statusId: r.json.status_id };
  }
}

interface Row { call: string; note?: string; expect: Expect; make(w: World): Promise<Call> }

const ROWS: Row[] = [
  // 3.1 Projects
  { call: 'list_projects', expect: ADMIN(), make: async () => ({ method: 'GET', path: '/projects' }) },
  { call: 'project_create', expect: ADMIN(), make: async () => ({ method: 'PUT', path: `/project/${label('p')}` }) },
  { call: 'project_delete', expect: ADMIN(), make: async (w) => ({ method: 'DELETE', path: `/project/${await createProject(w.admin)}` }) },
  { call: 'project_connect_node', expect: PROJECT(), make: async (w) => ({ method: 'POST', path: `/project/${await w.project()}/connect_node`, body: { node: await registerNode(w.admin) } }) },
  {
    call: 'project_detach_node', expect: PROJECT(), make: async (w) => {
      const p = await w.project();
      const { node } = await w.nodeIn(p);
      return { method: 'POST', path: `/project/${p}/detach_node`, body: { node } };
    },
  },
  { call: 'list_project_nodes', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/project/${await w.project()}/nodes` }) },
  { call: 'list_project_networks', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/project/${await w.project()}/networks` }) },
  { call: 'list_project_headnodes', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/project/${await w.project()}/headnodes` }) },

  // 3.2 Nodes
  { call: 'node_register', expect: ADMIN(), make: async () => ({ method: 'PUT', path: `/node/${label('n')}`, body: mockObm() }) },
  { call: 'node_delete', expect: ADMIN(), make: async (w) => ({ method: 'DELETE', path: `/node/${await registerNode(w.admin)}` }) },
  {
    call: 'node_register_nic', note: 'node in the project', expect: ADMIN(), make: async (w) => {
      const { node } = await w.nodeIn(await w.project());
      return { method: 'PUT', path: `/node/${node}/nic/${label('nic')}`, body: { macaddr: 'aa:bb' } };
    },
  },
  {
    call: 'node_delete_nic', expect: ADMIN(), make: async (w) => {
      const node = await registerNode(w.admin);
      return { method: 'DELETE', path: `/node/${node}/nic/${await registerNic(w.admin, node)}` };
    },
  },
  { call: 'list_nodes', expect: AUTH(), make: async () => ({ method: 'GET', path: '/nodes/free' }) },
  { call: 'list_nodes', note: 'all', expect: AUTH(), make: async () => ({ method: 'GET', path: '/nodes/all' }) },
  { call: 'show_node', note: 'free node', expect: AUTH(), make: async (w) => ({ method: 'GET', path: `/node/${await registerNode(w.admin)}` }) },
  { call: 'show_node', note: 'node in the project', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/node/${(await w.nodeIn(await w.project())).node}` }) },
  {
    call: 'node_set_metadata', note: 'node in the project', expect: ADMIN(), make: async (w) => {
      const { node } = await w.nodeIn(await w.project());
      return { method: 'PUT', path: `/node/${node}/metadata/rack`, body: { value: 'r1' } };
    },
  },
  {
    call: 'node_delete_metadata', note: 'node in the project', expect: ADMIN(), make: async (w) => {
      const node = await registerNode(w.admin, label('n'), { rack: 'r1' });
      await connectNode(w.admin, await w.project(), node);
      return { method: 'DELETE', path: `/node/${node}/metadata/rack` };
    },
  },
  {
    call: 'node_enable_disable_obm', note: 'node in the project', expect: PROJECT(), make: async (w) => {
      const { node } = await w.nodeIn(await w.project());
      return { method: 'PUT', path: `/node/${node}/obm`, body: { enabled: true } };
    },
  },
  { call: 'node_enable_disable_obm', note: 'free node: admin only', expect: ADMIN(), make: async (w) => ({ method: 'PUT', path: `/node/${await registerNode(w.admin)}/obm`, body: { enabled: true } }) },
  ...(['power_cycle', 'power_on', 'power_off'] as const).map((call): Row => ({
    call: `node_${call}`, expect: PROJECT(), make: async (w) => ({ method: 'POST', path: `/node/${(await w.nodeIn(await w.project(), { obm: true })).node}/${call}` }),
  })),
  {
    call: 'node_power_on', note: 'free node: admin only', expect: ADMIN(), make: async (w) => {
      const node = await registerNode(w.admin);
      await enableObm(w.admin, node);
      return { method: 'POST', path: `/node/${node}/power_on` };
    },
  },
  { call: 'node_power_status', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/node/${(await w.nodeIn(await w.project(), { obm: true })).node}/power_status` }) },
  { call: 'node_set_bootdev', expect: PROJECT(), make: async (w) => ({ method: 'PUT', path: `/node/${(await w.nodeIn(await w.project(), { obm: true })).node}/boot_device`, body: { bootdev: 'pxe' } }) },
  { call: 'show_console', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/node/${(await w.nodeIn(await w.project(), { obm: true })).node}/console`, stream: true }) },
  { call: 'node_console_log', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/node/${(await w.nodeIn(await w.project(), { obm: true })).node}/console-log`, stream: true }) },
  { call: 'node_console_log', note: 'free node: admin only', expect: ADMIN(), make: async (w) => ({ method: 'GET', path: `/node/${(await w.nodeIn(null)).node}/console-log`, stream: true }) },
  { call: 'node_console_logs', expect: ADMIN(), make: async (w) => ({ method: 'GET', path: `/node/${(await w.nodeIn(await w.project())).node}/console-logs` }) },
  {
    call: 'node_connect_network', expect: PROJECT(202), make: async (w) => {
      const p = await w.project();
      const { node, nic } = await w.nodeIn(p);
      const net = await createNetwork(w.admin, { owner: p, access: p });
      return { method: 'POST', path: `/node/${node}/nic/${nic}/connect_network`, body: { network: net } };
    },
  },
  {
    call: 'node_detach_network', expect: PROJECT(202), make: async (w) => {
      const { node, nic, net } = await w.attachedNode(await w.project());
      return { method: 'POST', path: `/node/${node}/nic/${nic}/detach_network`, body: { network: net } };
    },
  },
  {
    call: 'show_networking_action', expect: PROJECT(), make: async (w) => {
      const { statusId } = await w.attachedNode(await w.project());
      return { method: 'GET', path: `/networking_action/${statusId}` };
    },
  },

  // 3.3 Networks
  { call: 'network_create', note: 'owned by the project', expect: PROJECT(), make: async (w) => { const p = await w.project(); return { method: 'PUT', path: `/network/${label('net')}`, body: { owner: p, access: p, net_id: '' } }; } },
  { call: 'network_create', note: 'admin-owned, public', expect: ADMIN(), make: async () => ({ method: 'PUT', path: `/network/${label('net')}`, body: { owner: 'admin', access: '', net_id: '' } }) },
  { call: 'network_create', note: 'admin-owned, for the project', expect: ADMIN(), make: async (w) => ({ method: 'PUT', path: `/network/${label('net')}`, body: { owner: 'admin', access: await w.project(), net_id: '' } }) },
  { call: 'network_delete', note: 'owned by the project', expect: PROJECT(), make: async (w) => { const p = await w.project(); return { method: 'DELETE', path: `/network/${await createNetwork(w.admin, { owner: p, access: p })}` }; } },
  { call: 'network_delete', note: 'admin-owned, for the project', expect: ADMIN(), make: async (w) => ({ method: 'DELETE', path: `/network/${await createNetwork(w.admin, { owner: 'admin', access: await w.project() })}` }) },
  { call: 'show_network', note: 'public', expect: AUTH(), make: async (w) => ({ method: 'GET', path: `/network/${await createNetwork(w.admin, { owner: 'admin', access: '' })}` }) },
  { call: 'show_network', note: 'admin-owned, for the project', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/network/${await createNetwork(w.admin, { owner: 'admin', access: await w.project() })}` }) },
  { call: 'show_network', note: 'owned by the project', expect: PROJECT(), make: async (w) => { const p = await w.project(); return { method: 'GET', path: `/network/${await createNetwork(w.admin, { owner: p, access: p })}` }; } },
  { call: 'list_networks', expect: AUTH(), make: async () => ({ method: 'GET', path: '/networks' }) },
  { call: 'list_network_attachments', note: 'owned by the project', expect: PROJECT(), make: async (w) => { const p = await w.project(); return { method: 'GET', path: `/network/${await createNetwork(w.admin, { owner: p, access: p })}/attachments` }; } },
  { call: 'list_network_attachments', note: 'admin-owned, no ?project', expect: ADMIN(), make: async (w) => ({ method: 'GET', path: `/network/${await createNetwork(w.admin, { owner: 'admin', access: await w.project() })}/attachments` }) },
  {
    call: 'list_network_attachments', note: 'admin-owned, ?project=the project', expect: PROJECT(), make: async (w) => {
      const p = await w.project();
      return { method: 'GET', path: `/network/${await createNetwork(w.admin, { owner: 'admin', access: p })}/attachments?project=${p}` };
    },
  },
  {
    call: 'network_grant_project_access', note: 'owned by the project', expect: PROJECT(), make: async (w) => {
      const p = await w.project();
      const net = await createNetwork(w.admin, { owner: p, access: p });
      return { method: 'PUT', path: `/network/${net}/access/${await createProject(w.admin)}` };
    },
  },
  {
    call: 'network_grant_project_access', note: 'admin-owned', expect: ADMIN(), make: async (w) => {
      const net = await createNetwork(w.admin, { owner: 'admin', access: await w.project() });
      return { method: 'PUT', path: `/network/${net}/access/${await createProject(w.admin)}` };
    },
  },
  {
    call: 'network_revoke_project_access', note: 'admin-owned, revoking the project', expect: PROJECT(), make: async (w) => {
      const p = await w.project();
      return { method: 'DELETE', path: `/network/${await createNetwork(w.admin, { owner: 'admin', access: p })}/access/${p}` };
    },
  },
  {
    call: 'network_revoke_project_access', note: 'owned by the project, revoking another', expect: PROJECT(), make: async (w) => {
      const p = await w.project();
      const net = await createNetwork(w.admin, { owner: p, access: p });
      const q = await createProject(w.admin);
      expectStatus(await w.admin.put(`/v0/network/${net}/access/${q}`), 200, 'setup grant');
      return { method: 'DELETE', path: `/network/${net}/access/${q}` };
    },
  },

  // 3.4 Switches and ports
  { call: 'switch_register', expect: ADMIN(), make: async () => ({ method: 'PUT', path: `/switch/${label('sw')}`, body: { type: 'mock', ...MOCK_SWITCH_FIELDS } }) },
  { call: 'switch_delete', expect: ADMIN(), make: async (w) => ({ method: 'DELETE', path: `/switch/${await registerSwitch(w.admin)}` }) },
  { call: 'list_switches', expect: ADMIN(), make: async () => ({ method: 'GET', path: '/switches' }) },
  { call: 'show_switch', expect: ADMIN(), make: async (w) => ({ method: 'GET', path: `/switch/${await registerSwitch(w.admin)}` }) },
  { call: 'switch_register_port', expect: ADMIN(), make: async (w) => ({ method: 'PUT', path: `/switch/${await registerSwitch(w.admin)}/port/gi1/0/1` }) },
  {
    call: 'switch_delete_port', expect: ADMIN(), make: async (w) => {
      const sw = await registerSwitch(w.admin);
      return { method: 'DELETE', path: `/switch/${sw}/port/${await registerPort(w.admin, sw, 'gi1/0/2')}` };
    },
  },
  { call: 'show_port', expect: ADMIN(), make: async (w) => { const { sw, port } = await w.nodeIn(await w.project()); return { method: 'GET', path: `/switch/${sw}/port/${port}` }; } },
  {
    call: 'port_connect_nic', expect: ADMIN(), make: async (w) => {
      const sw = await registerSwitch(w.admin);
      const port = await registerPort(w.admin, sw, 'gi1/0/3');
      const node = await registerNode(w.admin);
      return { method: 'POST', path: `/switch/${sw}/port/${port}/connect_nic`, body: { node, nic: await registerNic(w.admin, node) } };
    },
  },
  { call: 'port_detach_nic', expect: ADMIN(), make: async (w) => { const { sw, port } = await w.nodeIn(null); return { method: 'POST', path: `/switch/${sw}/port/${port}/detach_nic` }; } },
  { call: 'port_revert', expect: ADMIN(), make: async (w) => { const { sw, port } = await w.nodeIn(await w.project()); return { method: 'POST', path: `/switch/${sw}/port/${port}/revert` }; } },

  // 3.6 Users
  { call: 'list_users', expect: ADMIN(), make: async () => ({ method: 'GET', path: '/auth/basic/users' }) },
  { call: 'user_create', expect: ADMIN(), make: async () => ({ method: 'PUT', path: `/auth/basic/user/${label('u')}`, body: { password: 'pw' } }) },
  { call: 'user_delete', expect: ADMIN(), make: async (w) => ({ method: 'DELETE', path: `/auth/basic/user/${(await createUser(w.admin)).username}` }) },
  { call: 'user_set_admin', expect: ADMIN(), make: async (w) => ({ method: 'PATCH', path: `/auth/basic/user/${(await createUser(w.admin)).username}`, body: { is_admin: true } }) },
  {
    call: 'user_add_project', note: 'adding a user to the project', expect: ADMIN(), make: async (w) => ({ method: 'POST', path: `/auth/basic/user/${(await createUser(w.admin)).username}/add_project`, body: { project: await w.project() } }),
  },
  {
    call: 'user_remove_project', note: 'removing a user from the project', expect: ADMIN(), make: async (w) => {
      const p = await w.project();
      return { method: 'POST', path: `/auth/basic/user/${(await createUser(w.admin, label('u'), { projects: [p] })).username}/remove_project`, body: { project: p } };
    },
  },

  // 3.7 Extensions
  { call: 'active_extensions', expect: ADMIN(), make: async () => ({ method: 'GET', path: '/active_extensions' }) },

  // haas's extensions
  { call: 'health', expect: PUBLIC(), make: async () => ({ method: 'GET', path: '/health' }) },
  { call: 'whoami', expect: AUTH(), make: async () => ({ method: 'GET', path: '/whoami' }) },
  { call: 'project_quota', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/project/${await w.project()}/quota` }) },
  { call: 'project_set_quota', note: 'the member\'s project', expect: ADMIN(), make: async (w) => ({ method: 'PUT', path: `/project/${await w.project()}/quota`, body: { nodes: 5, networks: 'unlimited', headnodes: null } }) },
  { call: 'quotas', expect: ADMIN(), make: async () => ({ method: 'GET', path: '/quotas' }) },
  { call: 'show_lease', note: 'node in the project', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/node/${(await w.nodeIn(await w.project())).node}/lease` }) },
  { call: 'set_lease', note: 'node in the project', expect: PROJECT(), make: async (w) => ({ method: 'PUT', path: `/node/${(await w.nodeIn(await w.project())).node}/lease`, body: { for: '4h' } }) },
  { call: 'list_leases', expect: AUTH(), make: async () => ({ method: 'GET', path: '/leases' }) },
  { call: 'list_leases', note: '?project', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/leases?project=${await w.project()}` }) },
  // The bulk listing: any authenticated user (each sees what show_node allows them); one project's nodes: its members.
  { call: 'node_details', expect: AUTH(), make: async () => ({ method: 'GET', path: '/node_details' }) },
  { call: 'node_details', note: '?project', expect: PROJECT(), make: async (w) => ({ method: 'GET', path: `/node_details?project=${await w.project()}` }) },
  { call: 'switch_details', expect: ADMIN(), make: async (w) => ({ method: 'GET', path: `/switch/${await registerSwitch(w.admin)}/details` }) },
  // Any authenticated user; a member sees only the entries of their projects (test/api-audit.test.ts).
  { call: 'audit', expect: AUTH(), make: async (w) => ({ method: 'GET', path: `/audit?project=${await w.project()}` }) },
  { call: 'drift', expect: ADMIN(), make: async () => ({ method: 'GET', path: '/drift' }) },
  { call: 'inventory_export', expect: ADMIN(), make: async () => ({ method: 'GET', path: '/inventory/export' }) },
  { call: 'inventory_import', expect: ADMIN(), make: async () => ({ method: 'POST', path: '/inventory/import', body: { document: { projects: [label('bulk')] } } }) },
  { call: 'switch_drift', expect: ADMIN(), make: async (w) => ({ method: 'GET', path: `/switch/${await registerSwitch(w.admin)}/drift` }) },
  { call: 'switch_learn', note: 'plan', expect: ADMIN(), make: async (w) => ({ method: 'GET', path: `/switch/${await registerSwitch(w.admin)}/learn` }) },
  { call: 'switch_learn', note: 'apply', expect: ADMIN(), make: async (w) => ({ method: 'POST', path: `/switch/${await registerSwitch(w.admin)}/learn`, body: { apply: true } }) },
  {
    // The caller sets their own password to what it is, so that their credentials keep working for the next rows.
    call: 'user_set_password', note: 'one\'s own', expect: AUTH(), make: async (w) => {
      const me = w.caller ?? w.member;
      return { method: 'PUT', path: `/user/${me.username}/password`, body: { password: me.password } };
    },
  },
  { call: 'user_set_password', note: 'another user', expect: ADMIN(), make: async (w) => ({ method: 'PUT', path: `/user/${(await createUser(w.admin)).username}/password`, body: { password: 'new-pw' } }) },
  { call: 'switch_host_key', note: 'show', expect: ADMIN(), make: async (w) => ({ method: 'GET', path: `/switch/${await registerSwitch(w.admin)}/host_key` }) },
  {
    call: 'switch_host_key', note: 'set', expect: ADMIN(),
    make: async (w) => ({ method: 'PUT', path: `/switch/${await registerSwitch(w.admin)}/host_key`, body: { fingerprint: FOREIGN_HOST_KEY } }),
  },
  {
    call: 'switch_host_key_accept', expect: ADMIN(), make: async (w) => {
      const { sw, presented } = await switchWithRefusedKey(w.admin);
      return { method: 'POST', path: `/switch/${sw}/host_key/accept`, body: { fingerprint: presented } };
    },
  },
];

describe('authorization matrix (database auth)', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const adminCreds = { username: 'matrix-admin', password: 'matrix-admin-pw' };
  let admin: Session;
  let member: Credentials;
  let outsider: Credentials;
  let callers: Record<Caller, Credentials | null>;

  before(async () => {
    // badPassword and unknownUser fail on every route from the same source (the unix socket): far more
    // failed logins than login throttling lets through, so the limit is raised for this matrix.
    d = await startDaemon({ auth: 'database', admins: [adminCreds], config: '[limits]\nlogin_failures = 1000000\n' });
    admin = session(d, adminCreds);
    member = await createUser(admin, 'member');
    const otherProject = await createProject(admin, 'outsiders-project');
    outsider = await createUser(admin, 'outsider', { projects: [otherProject] });
    callers = {
      admin: adminCreds,
      member,
      outsider,
      badPassword: { username: member.username, password: 'not-the-password' },
      unknownUser: { username: 'nobody-at-all', password: 'whatever' },
      anonymous: null,
    };
  });
  after(async () => { await d?.cleanup(); await hostKeyEmulator?.close(); });

  for (const row of ROWS) {
    describe(`${row.call}${row.note ? ` (${row.note})` : ''}`, () => {
      for (const caller of CALLERS) {
        const expected = row.expect[caller] ?? 401;
        it(`${caller} -> ${expected}`, async () => {
          const auth = callers[caller];
          const world = new World(d, admin, adminCreds, member, auth);
          const call = await row.make(world);
          const r = call.stream
            ? await readStream(d, `/v0${call.path}`, auth).then((s) => ({ ...s, json: parseJson(s.text) }))
            : await d.request(call.method, `/v0${call.path}`, { auth, ...(call.body === undefined ? {} : { body: call.body }) });
          const what = `${call.method} ${call.path} as ${caller}`;
          if (expected === 401) {
            assert.equal(r.status, 401, `${what}: expected 401, got ${r.status} ${r.text.slice(0, 300)}`);
            assert.equal(r.json?.type, 'AuthorizationError', `${what}: ${r.text.slice(0, 300)}`);
          } else {
            assert.equal(r.status, expected, `${what}: expected ${expected}, got ${r.status} ${r.text.slice(0, 300)}`);
          }
        });
      }
    });
  }

  describe('what each caller sees', () => {
    it('list_networks: all networks for an admin, public ones only for others', async () => {
      const world = new World(d, admin, adminCreds, member);
      const p = await world.project();
      const restricted = await createNetwork(admin, { owner: 'admin', access: p });
      const owned = await createNetwork(admin, { owner: p, access: p });
      const open = await createNetwork(admin, { owner: 'admin', access: '' });
      const asAdmin = (await admin.get('/v0/networks')).json;
      assert.ok(restricted in asAdmin && owned in asAdmin && open in asAdmin);
      assert.deepEqual(asAdmin[restricted].projects, [p]);
      assert.equal(asAdmin[open].projects, null);
      for (const who of [member, outsider]) {
        const seen = (await session(d, who).get('/v0/networks')).json;
        assert.ok(open in seen, `${who.username} sees the public network`);
        assert.ok(!(restricted in seen) && !(owned in seen), `${who.username} sees only public networks`);
      }
    });

    it('show_node: port and switch only for an admin, even for a free node', async () => {
      const world = new World(d, admin, adminCreds, member);
      const { node } = await world.nodeIn(null);
      const asAdmin = (await admin.get(`/v0/node/${node}`)).json;
      assert.ok('port' in asAdmin.nics[0] && 'switch' in asAdmin.nics[0]);
      for (const who of [member, outsider]) {
        const seen = (await session(d, who).get(`/v0/node/${node}`)).json;
        assert.deepEqual(Object.keys(seen.nics[0]).sort(), ['label', 'macaddr', 'networks']);
      }
    });
  });

  describe('authentication comes first: 401 before 400 and 404', () => {
    const cases: Array<{ what: string; method: string; path: string; rawBody?: string }> = [
      { what: 'missing node', method: 'GET', path: '/v0/node/no-such-node' },
      { what: 'missing project', method: 'GET', path: '/v0/project/no-such-project/nodes' },
      { what: 'malformed body', method: 'POST', path: '/v0/project/no-such-project/connect_node', rawBody: '{"node":' },
      { what: 'unknown body key', method: 'PUT', path: '/v0/project/fresh-project', rawBody: '{"colour": "red"}' },
      { what: 'bad node body', method: 'PUT', path: '/v0/node/fresh-node', rawBody: '{}' },
      { what: 'missing switch', method: 'GET', path: '/v0/switch/no-such-switch' },
      { what: 'missing network', method: 'GET', path: '/v0/network/no-such-network' },
      { what: 'bad label', method: 'PUT', path: `/v0/project/${'p'.repeat(300)}` },
      { what: 'missing action', method: 'GET', path: '/v0/networking_action/no-such-action' },
      { what: 'GET with a body', method: 'GET', path: '/v0/projects', rawBody: '{}' },
      { what: 'unknown query parameter', method: 'GET', path: '/v0/nodes/free?x=1' },
      { what: 'missing user', method: 'DELETE', path: '/v0/auth/basic/user/no-such-user' },
    ];
    for (const c of cases) {
      for (const caller of ['badPassword', 'unknownUser', 'anonymous'] as const) {
        it(`${c.what} as ${caller} -> 401`, async () => {
          const r = await d.request(c.method, c.path, { auth: callers[caller], ...(c.rawBody === undefined ? {} : { rawBody: c.rawBody }) });
          expectError(r, 401, 'AuthorizationError', `${c.method} ${c.path}`);
        });
      }
    }

    it('answers 401 over TCP too, and with malformed Authorization headers', async () => {
      expectError(await d.request('GET', '/v0/nodes/all', { tcp: true }), 401, 'AuthorizationError');
      for (const authorization of ['Basic', 'Basic !!!', 'Bearer abc', 'Basic ' + Buffer.from('no-colon').toString('base64'), 'Basic ' + Buffer.from(':').toString('base64')]) {
        expectError(await d.request('GET', '/v0/nodes/all', { headers: { authorization } }), 401, 'AuthorizationError', authorization);
      }
    });
  });
});

function parseJson(text: string): any {
  try { return JSON.parse(text); } catch { return undefined; }
}
