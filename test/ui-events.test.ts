// The change stream GET /v0/events (issue 17, docs/dashboard-api.md) on the built executable:
// server-sent events with the session cookie or Basic; a member sees the actions of their
// project's nodes (PENDING, then DONE after connect_network), node and lease changes, and nothing
// of another project's nodes; events are ordered, so "bob's first event is about his own node"
// proves he was not sent alice's.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { startDaemon, type Credentials, type Daemon } from './lib/daemon.js';
import {
  cableNic, connectNode, createNetwork, createProject, createUser, expectStatus, label, registerNic, registerNode, registerPort,
  registerSwitch, session,
} from './lib/fixtures.js';

interface Sse { event: string; data: any }

/** An open event stream: its headers, and the events as they come. */
class EventStream {
  readonly events: Sse[] = [];
  status = 0;
  contentType = '';
  private buffer = '';
  private waiters: (() => void)[] = [];
  private req!: ClientRequest;

  static open(d: Daemon, headers: Record<string, string>): Promise<EventStream> {
    const s = new EventStream();
    return new Promise((resolve, reject) => {
      s.req = httpRequest({ host: '127.0.0.1', port: d.port, method: 'GET', path: '/v0/events', headers }, (resp) => {
        s.status = resp.statusCode ?? 0;
        s.contentType = String(resp.headers['content-type']);
        resp.setEncoding('utf8');
        let first = true;
        resp.on('data', (chunk: string) => {
          s.take(chunk);
          // Resolved on the first bytes: from then on, changes reach this stream.
          if (first) { first = false; resolve(s); }
        });
        resp.on('end', () => { if (first) resolve(s); });
      });
      s.req.on('error', (e) => { if (s.status === 0) reject(e); });
      s.req.end();
    });
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
      if (event !== undefined && data !== undefined) this.events.push({ event, data: JSON.parse(data) });
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** The first event that `match` accepts, waiting for it (the test's own timeout bounds the wait). */
  async next(match: (e: Sse) => boolean): Promise<Sse> {
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  close(): void { this.req.destroy(); }
}

function basic(c: Credentials): Record<string, string> {
  return { authorization: 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64') };
}

describe('the change stream', { timeout: 120_000 }, () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const root = { username: 'ev-root', password: 'ev-root-pw' };
  let alice: Credentials;
  let bob: Credentials;
  let pa: string;
  let pb: string;
  let nodeA: string;
  let nodeB: string;
  let nic: string;
  let net: string;
  const streams: EventStream[] = [];

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [root], config: '[drift]\ninterval = 0\n' });
    const admin = session(d, root);
    pa = await createProject(admin, label('ev-pa'));
    pb = await createProject(admin, label('ev-pb'));
    alice = await createUser(admin, label('ev-alice'), { projects: [pa] });
    bob = await createUser(admin, label('ev-bob'), { projects: [pb] });
    const sw = await registerSwitch(admin);
    nodeA = await registerNode(admin, label('ev-na'));
    nodeB = await registerNode(admin, label('ev-nb'));
    nic = await registerNic(admin, nodeA, 'eth0');
    const port = await registerPort(admin, sw, 'gi1/0/1');
    await cableNic(admin, sw, port, nodeA, nic);
    await connectNode(admin, pa, nodeA);
    net = await createNetwork(session(d, alice), { owner: pa, access: pa });
  });
  after(async () => {
    for (const s of streams) s.close();
    await d?.cleanup();
  });

  it('is text/event-stream, and refuses a caller without credentials', async () => {
    const anon = await EventStream.open(d, {});
    assert.equal(anon.status, 401);
    const s = await EventStream.open(d, basic(alice));
    streams.push(s);
    assert.equal(s.status, 200);
    assert.equal(s.contentType, 'text/event-stream');
  });

  it('tells a member, by cookie, of their action PENDING then DONE; another project\'s member gets none of it', async () => {
    const signIn = await d.request('POST', '/v0/session', { body: alice, tcp: true });
    expectStatus(signIn, 200);
    const cookie = (signIn.headers['set-cookie'] as string[])[0]!.split(';')[0]!;
    const aliceStream = await EventStream.open(d, { cookie });
    const bobStream = await EventStream.open(d, basic(bob));
    streams.push(aliceStream, bobStream);
    assert.equal(aliceStream.status, 200);

    const r = await session(d, alice).post(`/v0/node/${nodeA}/nic/${nic}/connect_network`, { network: net });
    expectStatus(r, 202);
    const id = r.json.status_id;
    const pending = await aliceStream.next((e) => e.event === 'action' && e.data.status_id === id);
    assert.deepEqual(pending.data, {
      event: 'action', status_id: id, status: 'PENDING', node: nodeA, nic, type: 'modify_port', channel: 'vlan/native', new_network: net, project: pa,
    });
    const done = await aliceStream.next((e) => e.event === 'action' && e.data.status_id === id && e.data.status !== 'PENDING');
    assert.equal(done.data.status, 'DONE');

    // Something bob may see (a free node joins his project), after alice's action: his first event must be it.
    await connectNode(session(d, root), pb, nodeB);
    const first = await bobStream.next(() => true);
    assert.equal(first.event, 'node');
    assert.deepEqual(first.data, { event: 'node', node: nodeB, project: pb, change: 'project', old_project: null });
    assert.ok(!bobStream.events.some((e) => e.data.node === nodeA), `bob saw pa's node: ${JSON.stringify(bobStream.events)}`);
  });

  it('tells of lease and OBM changes of the node', async () => {
    const s = await EventStream.open(d, basic(alice));
    streams.push(s);
    expectStatus(await session(d, alice).put(`/v0/node/${nodeA}/lease`, { for: '2h' }), 200);
    const lease = await s.next((e) => e.event === 'lease');
    assert.equal(lease.data.node, nodeA);
    assert.equal(lease.data.project, pa);
    assert.equal(lease.data.change, 'set');
    assert.ok(Date.parse(lease.data.ends_at) > Date.now());
    expectStatus(await session(d, alice).put(`/v0/node/${nodeA}/obm`, { enabled: true }), 200);
    const obm = await s.next((e) => e.event === 'node' && e.data.change === 'obm');
    assert.deepEqual(obm.data, { event: 'node', node: nodeA, project: pa, change: 'obm', enabled: true });
    expectStatus(await session(d, alice).post(`/v0/node/${nodeA}/power_on`), 200);
    const power = await s.next((e) => e.event === 'node' && e.data.change === 'power');
    assert.deepEqual(power.data, { event: 'node', node: nodeA, project: pa, change: 'power', call: 'power_on' });
  });
});
