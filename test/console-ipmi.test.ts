// Shared node consoles on real parts: ipmi_sim's SOL, whose serial port acts
// like a shell (typed bytes echoed, a typed line answered `ran: <line>`).
// Three viewers see the same output; a writer's keys reach the node and the
// echo reaches every viewer; a second writer is refused (told, keys ignored)
// and then takes over with force, and the first is told; OBM disable and
// project detach close everyone; every session is in the audit trail. Through
// the API and the CLI (HAAS_BIN) in a terminal.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { haasCommand, startDaemon, type Credentials, type Daemon } from './lib/daemon.js';
import { session, label, expectEmptyOk, createProject, createUser, connectNode, enableObm, type Session } from './lib/fixtures.js';
import { ipmiLabAvailable, startIpmiSim, type IpmiSim } from './lab/ipmi.js';
import { openConsole, until, type ConsoleClient } from './lib/console.js';

const available = ipmiLabAvailable();

describe('shared node consoles on ipmi_sim', { skip: available ? false : 'ipmi_sim, ipmitool or script is not installed' }, () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const sims: IpmiSim[] = [];
  const adminCreds: Credentials = { username: label('root'), password: `admin-${randomBytes(6).toString('hex')}` };
  let admin: Session; let alice: Credentials; let bob: Credentials;
  let project: string;
  const nodes: string[] = [];
  const open: ConsoleClient[] = [];

  before(async () => {
    try {
      for (let i = 0; i < 2; i++) sims.push(await startIpmiSim({ password: `bmc-${randomBytes(6).toString('hex')}`, prefix: 'haas-cons-test', echo: true }));
      d = await startDaemon({ auth: 'database', admins: [adminCreds], config: '[drivers]\nobm_timeout = 5\n' });
      admin = session(d, adminCreds);
      project = await createProject(admin);
      alice = await createUser(admin, label('alice'), { projects: [project] });
      bob = await createUser(admin, label('bob'), { projects: [project] });
      for (const sim of sims) {
        const node = label('cons-node');
        expectEmptyOk(await admin.put(`/v0/node/${node}`, { obm: sim.obm() }), `register ${node}`);
        await connectNode(admin, project, node);
        await enableObm(admin, node);
        nodes.push(node);
      }
    } catch (e) {
      await Promise.all(sims.map((s) => s.stop()));
      await d?.cleanup();
      throw e;
    }
  });

  after(async () => {
    for (const c of open) c.close();
    await d?.cleanup();
    await Promise.all(sims.map((s) => s.stop()));
  });

  async function attach(node: string, who: Credentials, mode: 'read-only' | 'write' | 'force' | null): Promise<ConsoleClient> {
    const c = await openConsole(d, `/v0/node/${node}/console`, who, mode);
    open.push(c);
    assert.equal(c.status, mode === null ? 200 : 101, c.text());
    return c;
  }

  it('three viewers see the same output; the writer\'s keys reach the node and its echo reaches every viewer', async () => {
    const node = nodes[0]!;
    const prefix = sims[0]!.consolePrefix;
    const viewers = [await attach(node, alice, null), await attach(node, bob, 'read-only'), await attach(node, adminCreds, 'read-only')];
    await until('console lines on every viewer', () => viewers.every((v) => (v.text().match(new RegExp(prefix, 'g')) ?? []).length >= 3));
    const line = /console line (\d+)/.exec(viewers[2]!.text().slice(-200))![0];
    for (const v of viewers) assert.ok(v.text().includes(line), `a viewer lacks "${line}"`);

    const writer = await attach(node, alice, 'write');
    await until('the writer\'s console lines', () => writer.text().includes(prefix));
    writer.type('hello-from-alice\r');
    for (const v of [...viewers, writer]) await until('the answer on every viewer', () => v.text().includes('ran: hello-from-alice'));
    // A read-only viewer's keys go nowhere.
    viewers[1]!.type('from-a-viewer\r');

    // A second writer is told it is read-only; its keys never reach the node.
    const second = await attach(node, bob, 'write');
    await until('the read-only notice', () => /is writing; this session is read-only/.test(second.text()));
    second.type('refused-keys\r');
    writer.type('after-refusal\r');
    await until('the writer\'s next line', () => second.text().includes('ran: after-refusal'));
    // Then it takes over: the first writer is told and its keys stop reaching the node.
    const forced = await attach(node, bob, 'force');
    await until('the takeover notice', () => /took over; this session is now read-only/.test(writer.text()));
    writer.type('stale-keys\r');
    forced.type('forced-keys\r');
    await until('the new writer\'s answer everywhere', () => [...viewers, writer, second].every((v) => v.text().includes('ran: forced-keys')));
    for (const v of [...viewers, writer, second, forced]) {
      for (const ignored of ['from-a-viewer', 'refused-keys', 'stale-keys']) assert.ok(!v.text().includes(`ran: ${ignored}`), `${ignored} reached the node`);
    }

    const r = await admin.get(`/v0/audit?node=${node}&operation=console_attach`);
    assert.equal(r.status, 200, r.text);
    const entries = (r.json as { entries: { actor: string; detail: Record<string, string> }[] }).entries.reverse();
    assert.deepEqual(entries.map((e) => [e.actor, e.detail.mode, e.detail.role, e.detail.displaced ?? null]), [
      [alice.username, 'read-only', 'viewer', null], [bob.username, 'read-only', 'viewer', null], [adminCreds.username, 'read-only', 'viewer', null],
      [alice.username, 'write', 'writer', null], [bob.username, 'write', 'viewer', null], [bob.username, 'force', 'writer', alice.username],
    ]);
    for (const c of open.splice(0)) c.close();
  });

  // A node leaves its project only with its OBM disabled (detach_node answers 409 before), so disabling the
  // OBM is what closes the consoles of a node on its way out.
  it('closes every viewer and the writer when the OBM is disabled; the node then leaves the project', async () => {
    const node = nodes[1]!;
    const prefix = sims[1]!.consolePrefix;
    const sessions = [await attach(node, alice, 'write'), await attach(node, bob, null), await attach(node, bob, 'read-only')];
    await until('console lines', () => sessions.every((s) => s.text().includes(prefix)));
    await enableObm(admin, node, false);
    await Promise.all(sessions.map((s) => s.ended));
    const blocked = await openConsole(d, `/v0/node/${node}/console`, alice, 'write');
    open.push(blocked);
    assert.equal(blocked.status, 409, blocked.text());
    expectEmptyOk(await admin.post(`/v0/project/${project}/detach_node`, { node }), 'detach_node');
    const after = await openConsole(d, `/v0/node/${node}/console`, alice, 'read-only');
    open.push(after);
    assert.equal(after.status, 401, after.text());
    open.splice(0).forEach((c) => c.close());
  });

  it('the CLI in a terminal: types as the writer, is refused while another writes, takes over with --force', async () => {
    const node = nodes[0]!;
    const held = await attach(node, alice, 'write');
    await until('console lines', () => held.text().includes(sims[0]!.consolePrefix));
    const { cmd, args } = haasCommand();
    const env = { ...process.env, HAAS_ENDPOINT: `unix:${d.socket}`, HAAS_USERNAME: bob.username, HAAS_PASSWORD: bob.password, HOME: d.dir };
    const cli = (extra: string[]) => {
      const line = [cmd, ...args, 'node', 'console', node, ...extra].map((a) => `'${a}'`).join(' ');
      const child = spawn('script', ['-qfec', line, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString('latin1'); });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      return { child, out: () => out, exited };
    };

    const refused = cli([]);
    await until('the CLI\'s read-only notice', () => /Ctrl-\] to leave/.test(refused.out()) && /is writing; this session is read-only/.test(refused.out()));
    refused.child.stdin.write('cli-refused\r');
    held.type('held-line\r');
    await until('the writer\'s line on the CLI', () => refused.out().includes('ran: held-line'));
    assert.ok(!held.text().includes('ran: cli-refused'), `a refused CLI session typed on the node: ${held.text().slice(-500)}`);
    refused.child.stdin.write('\x1d');
    assert.equal(await refused.exited, 0);

    const forced = cli(['--force']);
    await until('the takeover notice', () => /took over; this session is now read-only/.test(held.text()));
    forced.child.stdin.write('cli-forced\r');
    await until('the CLI\'s line on the API viewer', () => held.text().includes('ran: cli-forced'));
    await until('the CLI\'s line on the CLI', () => forced.out().includes('ran: cli-forced'));
    forced.child.stdin.write('\x1d');
    assert.equal(await forced.exited, 0);
    open.splice(0).forEach((c) => c.close());
  });
});
