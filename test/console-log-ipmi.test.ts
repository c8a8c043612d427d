// Console logs on a real BMC simulator (ipmi_sim, its serial port prints a line
// every 100 ms): the daemon logs the SOL console while nobody watches, within its
// size bound; the log is the holding project's (fresh for the next project, the
// old one for admins only); a `kill -9` of the daemon leaves no console process
// behind once it restarts, and logging resumes. Through the API and the built CLI.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runHaas, startDaemon, type Credentials, type Daemon } from './lib/daemon.js';
import { session, label, expectEmptyOk, expectError, createProject, createUser, connectNode, enableObm, type Session } from './lib/fixtures.js';
import { ipmiLabAvailable, startIpmiSim, type IpmiSim } from './lab/ipmi.js';
import { descendants, processStart, type ChildRecord } from '../src/daemon/console-children.js';

const available = ipmiLabAvailable();
const STAMPED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;
const LOG_SIZE = 4096;
const CONFIG = `[drivers]\nobm_timeout = 5\n[drift]\ninterval = 0\n[console]\nlog_size = 4k\nlog_retention = 7d\n`;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function consoleLines(text: string, sim: IpmiSim): string[] {
  return text.split('\n').filter((l) => l.includes(sim.consolePrefix));
}

function running(r: ChildRecord): boolean {
  return processStart(r.pid) === r.start;
}

describe('console logs of an IPMI SOL console (ipmi_sim)', { skip: !available && 'ipmi_sim, ipmitool or script not installed' }, () => {
  const adminCreds: Credentials = { username: `admin-${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') };
  const bmcPassword = randomBytes(8).toString('hex');
  let sim: IpmiSim;
  let d: Daemon & { cleanup(): Promise<void> };
  let admin: Session;
  let projA: string;
  let projB: string;
  let userA: Credentials;
  let userB: Credentials;
  const node = label('cl');
  let releasedName = '';
  const cliEnv = (who: Credentials) => ({
    HAAS_ENDPOINT: `unix:${d.socket}`, HIL_ENDPOINT: '', HAAS_USERNAME: who.username, HAAS_PASSWORD: who.password, HAAS_CLIENT_CONFIG: '/nonexistent',
  });
  const logDir = () => join(d.dir, 'console-logs', encodeURIComponent(node));

  before(async () => {
    sim = await startIpmiSim({ password: bmcPassword });
    d = await startDaemon({ auth: 'database', admins: [adminCreds], config: CONFIG });
    admin = session(d, adminCreds);
    projA = await createProject(admin);
    projB = await createProject(admin);
    userA = await createUser(admin, label('ua'), { projects: [projA] });
    userB = await createUser(admin, label('ub'), { projects: [projB] });
    expectEmptyOk(await admin.put(`/v0/node/${node}`, { obm: sim.obm(bmcPassword) }), 'register');
    await connectNode(admin, projA, node);
    await enableObm(session(d, userA), node);
  });

  after(async () => {
    await d?.cleanup();
    await sim?.stop();
  });

  it('logs the console while nobody watches, a time before every line, and --since picks lines by time', async () => {
    const a = session(d, userA);
    let text = '';
    await until('five logged console lines', async () => {
      text = (await a.get(`/v0/node/${node}/console-log`)).text;
      return consoleLines(text, sim).length >= 5;
    });
    const lines = consoleLines(text, sim);
    for (const l of lines) assert.match(l, STAMPED, l);
    const third = lines[2]!;
    const since = third.slice(0, 24);
    const later = (await a.get(`/v0/node/${node}/console-log?since=${encodeURIComponent(since)}`)).text;
    const first = later.split('\n')[0]!;
    assert.ok(first.slice(0, 24) >= since && !later.includes(lines[0]!), `--since ${since} gave "${first}"`);
    expectError(await a.get(`/v0/node/${node}/console-log?since=yesterday`), 400, 'BadArgumentError');
    expectError(await session(d, userB).get(`/v0/node/${node}/console-log`), 401, 'AuthorizationError');

    const cli = runHaas(['node', 'console-log', node, '--since', since], { env: cliEnv(userA) });
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok(consoleLines(cli.stdout, sim).length >= 1 && cli.stdout.slice(0, 24) >= since, cli.stdout.slice(0, 200));
  });

  it('keeps the log within [console] log_size, rotating it', async () => {
    const files = () => ['current.log', 'current.log.1'].map((f) => join(logDir(), f)).filter(existsSync);
    await until('a rotation', () => existsSync(join(logDir(), 'current.log.1')), 30_000);
    // One more rotation, so that both files have been full once.
    const firstRotated = statSync(join(logDir(), 'current.log.1')).mtimeMs;
    await until('a second rotation', () => statSync(join(logDir(), 'current.log.1')).mtimeMs > firstRotated, 30_000);
    for (let i = 0; i < 10; i++) {
      const total = files().reduce((n, f) => n + statSync(f).size, 0);
      assert.ok(total <= LOG_SIZE, `the log holds ${total} bytes, more than log_size ${LOG_SIZE}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('starts fresh for the next project; the old log is for admins only', async () => {
    const a = session(d, userA);
    const b = session(d, userB);
    const before = consoleLines((await a.get(`/v0/node/${node}/console-log`)).text, sim);
    assert.ok(before.length > 0);
    await enableObm(a, node, false);
    expectEmptyOk(await a.post(`/v0/project/${projA}/detach_node`, { node }), 'detach');
    const movedAt = new Date().toISOString();
    await connectNode(admin, projB, node);
    await enableObm(b, node);
    let text = '';
    await until('the next project\'s first lines', async () => {
      text = (await b.get(`/v0/node/${node}/console-log`)).text;
      return consoleLines(text, sim).length >= 3;
    });
    for (const l of text.split('\n').filter((x) => x !== '')) assert.ok(l.slice(0, 24) >= movedAt, `a line from before the move: ${l}`);
    expectError(await a.get(`/v0/node/${node}/console-log`), 401, 'AuthorizationError');

    const listed = await admin.get(`/v0/node/${node}/console-logs`);
    assert.equal(listed.status, 200);
    const released = (listed.json as Array<{ name: string; project: string | null; bytes: number }>).filter((r) => r.project === projA);
    assert.equal(released.length, 1, listed.text);
    releasedName = released[0]!.name;
    expectError(await a.get(`/v0/node/${node}/console-log?log=${releasedName}`), 401, 'AuthorizationError');
    expectError(await a.get(`/v0/node/${node}/console-logs`), 401, 'AuthorizationError');
    const old = await admin.get(`/v0/node/${node}/console-log?log=${encodeURIComponent(releasedName)}`);
    assert.equal(old.status, 200);
    assert.ok(old.text.includes(before[before.length - 1]!), 'the released log holds the old project\'s output');
    expectError(await admin.get(`/v0/node/${node}/console-log?log=nope.log`), 404, 'NotFoundError');

    const cli = runHaas(['node', 'console-logs', node], { env: cliEnv(adminCreds) });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(releasedName.replace(/[.]/g, '\\.')));
    const refused = runHaas(['node', 'console-log', node, '--released', releasedName], { env: cliEnv(userA) });
    assert.notEqual(refused.code, 0);
  });

  it('after kill -9 and a restart, no console process of the old daemon runs, and logging resumes', async () => {
    const childrenFile = join(d.dir, 'console-children.json');
    const recorded = JSON.parse(readFileSync(childrenFile, 'utf8')) as ChildRecord[];
    assert.ok(recorded.length >= 1 && recorded.every(running), `recorded console processes: ${JSON.stringify(recorded)}`);
    await d.kill();
    // What the killed daemon started outlives it (detached process groups).
    assert.ok(recorded.some(running), 'the console process died with the daemon: nothing to clean up');
    const left = recorded.flatMap((r) => descendants(r.pid).map((pid) => ({ pid, start: processStart(pid)! })));
    assert.ok(left.some((r) => readFileSync(`/proc/${r.pid}/cmdline`, 'utf8').startsWith('ipmitool')), 'ipmitool runs under the recorded script');
    await d.start();
    for (const r of recorded) assert.equal(running(r), false, `console process ${r.pid} is still running after the restart`);
    for (const r of left) assert.equal(running(r), false, `process ${r.pid} under the old console is still running after the restart`);
    const b = session(d, userB);
    const restartedAt = new Date().toISOString();
    await until('new lines after the restart', async () => {
      const text = (await b.get(`/v0/node/${node}/console-log?since=${encodeURIComponent(restartedAt)}`)).text;
      return consoleLines(text, sim).length >= 3;
    }, 30_000);
  });
});
