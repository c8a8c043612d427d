// Idle connections cannot lock clients out (issue 11): one address may hold at most
// `connections_per_source` open connections; more are closed at once. With the daemon's descriptors
// limited to 256 (prlimit), 300 idle connections from 127.0.0.1 leave 127.0.0.2 and the unix
// socket served, and the daemon's descriptor count bounded. Console streams count apart.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { startDaemon, type Daemon } from './lib/daemon.js';
import { createProject, enableObm, expectStatus, label, registerNode, session, connectNode } from './lib/fixtures.js';

const PER_SOURCE = 20;
const STREAMS = 2;

function fdsOf(pid: number): number { return readdirSync(`/proc/${pid}/fd`).length; }

/** Open an idle TCP connection from `from`; resolves once connected (or closed by the daemon). */
function idle(d: Daemon, from: string): Promise<Socket> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port: d.port, localAddress: from });
    s.on('error', () => {});
    s.once('connect', () => res(s));
    s.once('close', () => res(s));
  });
}

/** GET over TCP from `from` (a fresh connection), or over the unix socket. */
function get(d: Daemon, path: string, from: string): Promise<number> {
  const target = from === 'unix' ? { socketPath: d.socket } : { host: '127.0.0.1', port: d.port, localAddress: from };
  return new Promise((res, rej) => {
    const req = httpRequest({ ...target, path, agent: false }, (resp) => { resp.resume(); resp.on('end', () => res(resp.statusCode ?? 0)); });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout GET ${path} from ${from}`)));
    req.on('error', rej);
    req.end();
  });
}

/** Start a console stream over TCP from 127.0.0.1; resolves with the answer's status and the open response. */
function stream(d: Daemon, path: string): Promise<{ status: number; resp: IncomingMessage }> {
  return new Promise((res, rej) => {
    const req = httpRequest({ host: '127.0.0.1', port: d.port, path, agent: false }, (resp) => res({ status: resp.statusCode ?? 0, resp }));
    req.on('error', rej);
    req.end();
  });
}

describe('connections per source', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const open: Socket[] = [];
  const closeAll = async () => {
    await Promise.all(open.splice(0).map((s) => new Promise<void>((res) => { if (s.destroyed) res(); else { s.once('close', () => res()); s.destroy(); } })));
  };

  before(async () => {
    d = await startDaemon({ auth: 'null', config: `[limits]\nconnections_per_source = ${PER_SOURCE}\nstreams_per_source = ${STREAMS}\n` });
    const r = spawnSync('prlimit', [`--pid=${d.child.pid}`, '--nofile=256:256']);
    assert.equal(r.status, 0, String(r.stderr));
  });
  after(async () => {
    await closeAll();
    await d?.cleanup();
  });

  it('serves 127.0.0.2 and the unix socket while 127.0.0.1 holds 300 idle connections', async () => {
    const base = fdsOf(d.child.pid!);
    for (let i = 0; i < 300; i++) open.push(await idle(d, '127.0.0.1'));
    // The daemon closes the ones over the limit at once; wait until their closing has arrived here.
    const heldNow = () => open.filter((s) => !s.destroyed && s.readyState === 'open').length;
    for (let i = 0; i < 100 && heldNow() > PER_SOURCE; i++) await new Promise((res) => setTimeout(res, 50));
    const held = heldNow();
    assert.ok(held <= PER_SOURCE, `127.0.0.1 holds ${held} connections`);
    assert.ok(fdsOf(d.child.pid!) <= base + PER_SOURCE + 10, `the daemon has ${fdsOf(d.child.pid!)} descriptors (${base} before)`);
    assert.equal(await get(d, '/v0/nodes/all', '127.0.0.2'), 200);
    assert.equal(await get(d, '/v0/nodes/all', 'unix'), 200);
    assert.match(d.stderr, /127\.0\.0\.1 holds 20 open connections, its limit \(connections_per_source\)/);
    await closeAll();
    // Its own connections closed, 127.0.0.1 is served again.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await get(d, '/v0/nodes/all', '127.0.0.1').catch(() => 0);
      if (status !== 200) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(status, 200);
  });

  it('counts console streams apart, up to streams_per_source', async () => {
    const admin = session(d, null);
    const project = await createProject(admin);
    const nodes: string[] = [];
    for (let i = 0; i <= STREAMS; i++) {
      const node = await registerNode(admin, label('conn-node'));
      await connectNode(admin, project, node);
      await enableObm(admin, node);
      nodes.push(node);
    }
    const streams = [];
    for (let i = 0; i < STREAMS; i++) streams.push(await stream(d, `/v0/node/${nodes[i]}/console`));
    try {
      assert.deepEqual(streams.map((s) => s.status), Array(STREAMS).fill(200));
      const third = await stream(d, `/v0/node/${nodes[STREAMS]}/console`);
      assert.equal(third.status, 429, 'a stream over streams_per_source');
      assert.equal(third.resp.headers['retry-after'], '1');
      await new Promise((res) => { third.resp.once('close', res); third.resp.resume(); });
      await new Promise((res) => setTimeout(res, 100)); // the daemon's side of that connection closes too
      // The streams do not use the ordinary budget: 127.0.0.1 may still open PER_SOURCE - 1 idle connections and a request.
      for (let i = 0; i < PER_SOURCE - 1; i++) open.push(await idle(d, '127.0.0.1'));
      expectStatus({ status: await get(d, '/v0/nodes/all', '127.0.0.1'), headers: {}, text: '', json: undefined }, 200, 'a request beside the streams');
    } finally {
      for (const s of streams) s.resp.destroy();
      await closeAll();
    }
  });
});
