// The ipmi OBM driver against real BMC simulators (ipmi_sim, one per node):
// power, boot device, power cycle, the SOL console shared by its viewers,
// failures (OBM disabled, wrong BMC password, BMC down) and the audit trail,
// all through the daemon's API as a project member and an admin. The BMC
// passwords must never show in `ps`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { repoRoot, startDaemon, type Credentials, type Daemon } from './lib/daemon.js';
import {
  session, label, expectError, expectEmptyOk, expectStatus, createProject, createUser, connectNode, enableObm, type Session,
} from './lib/fixtures.js';
import { ipmiLabAvailable, startIpmiSim, type IpmiSim } from './lab/ipmi.js';
import { runCli } from '../src/cli/run.js';
import { SCHEMA_VERSION } from '../src/db/migrate.js';
import { nodeCommands } from '../src/cli/node.js';
import { parseBootDevice } from '../src/drivers/obm/ipmi.js';

const available = ipmiLabAvailable();

/** A console viewer: everything received so far, and whether the daemon ended the stream. */
interface Viewer {
  status: Promise<number>;
  text(): string;
  ended: Promise<void>;
  isEnded(): boolean;
  close(): void;
}

function openViewer(d: Daemon, node: string, auth: Credentials): Viewer {
  let text = '';
  let ended = false;
  let markEnded!: () => void;
  const endedP = new Promise<void>((res) => { markEnded = () => { ended = true; res(); }; });
  const req = httpRequest({
    socketPath: d.socket, method: 'GET', path: `/v0/node/${node}/console`,
    headers: { authorization: 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64') },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', markEnded);
      res.on('close', markEnded);
    });
    req.on('error', (e) => { markEnded(); reject(e); });
  });
  req.end();
  return { status, text: () => text, ended: endedP, isEnded: () => ended, close: () => req.destroy() };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ps(): Promise<string> {
  return new Promise((res) => execFile('ps', ['-eo', 'args'], { maxBuffer: 16 * 1024 * 1024 }, (_e, out) => res(out ?? '')));
}

/** `ipmitool chassis bootparam get 5` as ipmitool 1.8.19 prints it for ipmi_sim, with this Boot Device Selector. */
function bootParam5(data: string, selector: string): string {
  return [
    'Boot parameter version: 1',
    'Boot parameter 5 is valid/unlocked',
    `Boot parameter data: ${data}`,
    ' Boot Flags :',
    '   - Boot Flag Invalid',
    '   - Options apply to only next boot',
    '   - BIOS PC Compatible (legacy) boot ',
    `   - Boot Device Selector : ${selector}`,
    '   - BIOS verbosity : System Default',
    '   - Console Redirection control : Console redirection occurs per BIOS configuration setting (default)',
    '   - BIOS Mux Control Override : BIOS uses recommended setting of the mux at the end of POST',
  ].join('\n');
}

describe('reading the boot device from ipmitool chassis bootparam get 5', () => {
  it('names the three devices haas sets as it sets them', () => {
    assert.equal(parseBootDevice(bootParam5('0004000000', 'Force PXE')), 'pxe');
    assert.equal(parseBootDevice(bootParam5('0008000000', 'Force Boot from default Hard-Drive')), 'disk');
    assert.equal(parseBootDevice(bootParam5('0000000000', 'No override')), 'none');
  });

  it('refuses another device or an answer without a selector, in ipmitool\'s words', () => {
    assert.throws(() => parseBootDevice(bootParam5('0018000000', 'Force Boot into BIOS Setup')),
      /the BMC boots next with "Force Boot into BIOS Setup", which is none of pxe, disk, none/);
    assert.throws(() => parseBootDevice(bootParam5('000c000000', 'Force Boot from default Hard-Drive, request Safe Mode')), /Safe Mode/);
    assert.throws(() => parseBootDevice('Boot parameter 5 is invalid'), /unexpected answer "Boot parameter 5 is invalid"/);
  });
});

describe('ipmi OBM driver against ipmi_sim', { skip: available ? false : 'ipmi_sim, ipmitool or script is not installed' }, () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const sims: IpmiSim[] = [];
  let simA: IpmiSim; let simB: IpmiSim; let simDown: IpmiSim;
  const adminCreds: Credentials = { username: label('root'), password: `admin-${randomBytes(6).toString('hex')}` };
  let admin: Session; let member: Session; let memberCreds: Credentials;
  let project: string;
  const nodes: Record<string, string> = {};
  const wrongPassword = `wrong-${randomBytes(6).toString('hex')}`;
  const secrets = () => [...sims.map((s) => s.password), wrongPassword];
  const psSamples: string[] = [];
  let sampler: NodeJS.Timeout | undefined;

  /** Register a node on `sim` (optionally with another password), put it in the project, enable its OBM. */
  async function ipmiNode(sim: IpmiSim, password?: string): Promise<string> {
    const node = label('ipmi-node');
    expectEmptyOk(await admin.put(`/v0/node/${node}`, { obm: sim.obm(password) }), `register ${node}`);
    await connectNode(admin, project, node);
    await enableObm(member, node);
    return node;
  }

  before(async () => {
    try {
      for (let i = 0; i < 3; i++) sims.push(await startIpmiSim({ password: `bmc-${randomBytes(6).toString('hex')}`, prefix: 'haas-obm-test' }));
      [simA, simB, simDown] = sims as [IpmiSim, IpmiSim, IpmiSim];
      // obm_timeout shortens every BMC call's limit from 10 s (the default) to 5 s.
      d = await startDaemon({ auth: 'database', admins: [adminCreds], config: '[drivers]\nobm_timeout = 5\n' });
      admin = session(d, adminCreds);
      project = await createProject(admin);
      memberCreds = await createUser(admin, label('member'), { projects: [project] });
      member = session(d, memberCreds);
      nodes.a = await ipmiNode(simA);
      nodes.b = await ipmiNode(simB);
      nodes.down = await ipmiNode(simDown);
      nodes.wrong = await ipmiNode(simB, wrongPassword);
    } catch (e) {
      await Promise.all(sims.map((s) => s.stop()));
      await d?.cleanup();
      throw e;
    }
    sampler = setInterval(() => { void ps().then((out) => psSamples.push(out)); }, 100);
  });

  after(async () => {
    if (sampler) clearInterval(sampler);
    await d?.cleanup();
    await Promise.all(sims.map((s) => s.stop()));
  });

  it('powers a node on and off and reports its power status', async () => {
    expectEmptyOk(await member.post(`/v0/node/${nodes.a}/power_on`), 'power_on');
    assert.equal(simA.power(), 'on');
    let r = await member.get(`/v0/node/${nodes.a}/power_status`);
    expectStatus(r, 200);
    assert.deepEqual(r.json, { power_status: 'on' });
    expectEmptyOk(await member.post(`/v0/node/${nodes.a}/power_off`), 'power_off');
    assert.equal(simA.power(), 'off');
    r = await member.get(`/v0/node/${nodes.a}/power_status`);
    assert.deepEqual(r.json, { power_status: 'off' });
    assert.deepEqual(simA.changes().filter((c) => c.startsWith('power')), ['power 1', 'power 0']);
  });

  it('sets the boot device: pxe, disk, none; refuses others with 400', async () => {
    simA.clearChanges();
    for (const bootdev of ['pxe', 'disk', 'none']) {
      expectEmptyOk(await member.put(`/v0/node/${nodes.a}/boot_device`, { bootdev }), bootdev);
    }
    // ipmi_sim names the disk "default".
    assert.deepEqual(simA.changes(), ['boot pxe', 'boot default', 'boot none']);
    expectError(await member.put(`/v0/node/${nodes.a}/boot_device`, { bootdev: 'cdrom' }), 400, 'BadArgumentError');
  });

  it('power_cycle sets the next boot to PXE, then turns an off node on', async () => {
    assert.equal(simA.power(), 'off');
    simA.clearChanges();
    expectEmptyOk(await member.post(`/v0/node/${nodes.a}/power_cycle`), 'power_cycle');
    assert.deepEqual(simA.changes(), ['boot pxe', 'power 1']);
    assert.equal(simA.power(), 'on');
  });

  it('power_cycle of a running node cycles it; with force it resets it', async () => {
    simA.clearChanges();
    expectEmptyOk(await member.post(`/v0/node/${nodes.a}/power_cycle`, { force: false }), 'cycle');
    assert.deepEqual(simA.changes().slice(0, 2), ['boot pxe', 'power 0']);
    // ipmi_sim powers the node back on about a second later.
    await until('the node back on after the cycle', () => simA.power() === 'on');
    simA.clearChanges();
    expectEmptyOk(await member.post(`/v0/node/${nodes.a}/power_cycle`, { force: true }), 'forced cycle');
    assert.deepEqual(simA.changes(), ['boot pxe', 'reset 1']);
  });

  it('streams the serial console; a second viewer shares it and first sees the recent output', async () => {
    const first = openViewer(d, nodes.a!, memberCreds);
    assert.equal(await first.status, 200);
    await until('console lines for the first viewer', () => (first.text().match(new RegExp(simA.consolePrefix, 'g')) ?? []).length >= 3);
    assert.match(first.text(), /SOL console of .* connected/);
    const seen = /console line (\d+)/.exec(first.text())![0];

    // While a session runs, its command lines are visible in ps, and no password is.
    const during = await ps();
    assert.match(during, /sol activate/);
    for (const secret of secrets()) assert.ok(!during.includes(secret), 'a BMC password shows in ps');

    const second = openViewer(d, nodes.a!, memberCreds);
    assert.equal(await second.status, 200);
    first.close();
    await first.ended;
    await until('the recent output for the second viewer', () => second.text().includes(seen));
    const before = (second.text().match(new RegExp(simA.consolePrefix, 'g')) ?? []).length;
    await until('live lines for the second viewer', () =>
      (second.text().match(new RegExp(simA.consolePrefix, 'g')) ?? []).length >= before + 3);
    second.close();

    // With the OBM enabled the session stays open when nobody watches (it is kept for the console log,
    // test/console-log-ipmi.test.ts): the next viewer joins it.
    assert.match(await ps(), new RegExp(`-p ${simA.port} -U admin -E sol activate`));
    const third = openViewer(d, nodes.a!, memberCreds);
    assert.equal(await third.status, 200);
    const linesNow = (third.text().match(/console line (\d+)/g) ?? []).length;
    await until('live lines for the third viewer', () => (third.text().match(/console line (\d+)/g) ?? []).length >= linesNow + 3);
    third.close();
  });

  it('answers 409 while the OBM is disabled, and disabling ends the console', async () => {
    const viewer = openViewer(d, nodes.b!, memberCreds);
    assert.equal(await viewer.status, 200);
    await until('console lines', () => viewer.text().includes(simB.consolePrefix));
    await enableObm(member, nodes.b!, false);
    await Promise.race([viewer.ended, new Promise((_, rej) => setTimeout(() => rej(new Error('console still open')), 5000))]);
    for (const [method, call, body] of [
      ['POST', 'power_on', undefined], ['POST', 'power_off', undefined], ['POST', 'power_cycle', undefined],
      ['GET', 'power_status', undefined], ['PUT', 'boot_device', { bootdev: 'pxe' }], ['GET', 'console', undefined],
    ] as const) {
      expectError(await member.request(method, `/v0/node/${nodes.b}/${call}`, body === undefined ? {} : { body }), 409, 'BlockedError', call);
    }
    await enableObm(member, nodes.b!);
    expectStatus(await member.get(`/v0/node/${nodes.b}/power_status`), 200);
  });

  it('reports a wrong BMC password as a quick 502 OBMError in ipmitool\'s words, without the password', async () => {
    for (const [method, call, body] of [
      ['GET', 'power_status', undefined], ['POST', 'power_on', undefined], ['PUT', 'boot_device', { bootdev: 'disk' }],
      ['GET', 'console', undefined],
    ] as const) {
      const started = Date.now();
      const r = await member.request(method, `/v0/node/${nodes.wrong}/${call}`, body === undefined ? {} : { body });
      expectError(r, 502, 'OBMError', call);
      assert.ok(Date.now() - started < 8000, `${call} took ${Date.now() - started} ms`);
      assert.match(r.json.msg, /Unable to establish IPMI v2 \/ RMCP\+ session/);
      for (const secret of secrets()) assert.ok(!r.text.includes(secret), `${call}: a password in the answer`);
    }
  });

  it('answers 502 within the timeout when a BMC is down, while other nodes keep working', async () => {
    expectStatus(await member.get(`/v0/node/${nodes.down}/power_status`), 200, 'before the BMC goes down');
    await simDown.kill();
    const started = Date.now();
    const downCall = member.get(`/v0/node/${nodes.down}/power_status`);
    // A second call on the dead BMC queues behind the first and then fails at once; other BMCs are not held up.
    const alsoDown = member.post(`/v0/node/${nodes.down}/power_on`).then((r) => ({ r, at: Date.now() }));
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      expectStatus(await member.get(`/v0/node/${nodes.a}/power_status`), 200, 'another node');
      assert.ok(Date.now() - t < 3000, `another node took ${Date.now() - t} ms`);
    }
    const r = await downCall;
    const elapsed = Date.now() - started;
    expectError(r, 502, 'OBMError');
    assert.match(r.json.msg, /no answer from the BMC at 127\.0\.0\.1:\d+ within 5 s/);
    assert.ok(elapsed >= 4500 && elapsed < 9000, `down BMC answered after ${elapsed} ms (obm_timeout = 5)`);
    const second = await alsoDown;
    expectError(second.r, 502, 'OBMError');
    assert.match(second.r.json.msg, /did not answer the call before this one/);
    assert.ok(second.at - started < 7000, `the queued call answered after ${second.at - started} ms`);
  });

  it('never shows a BMC password in ps while calls run', () => {
    assert.ok(psSamples.length > 20, `only ${psSamples.length} ps samples`);
    assert.ok(psSamples.some((s) => /ipmitool -I lanplus -C 3 -H 127\.0\.0\.1/.test(s)), 'ps caught some ipmitool calls');
    for (const sample of psSamples) {
      for (const secret of secrets()) assert.ok(!sample.includes(secret), 'a BMC password shows in ps');
    }
  });

  it('keeps an audit trail of power and boot operations, for admins (API and CLI)', async () => {
    const r = await admin.get(`/v0/obm_audit?node=${nodes.a}`);
    expectStatus(r, 200);
    const entries = r.json as Array<Record<string, unknown>>;
    assert.ok(entries.every((e) => e.node === nodes.a && e.user === memberCreds.username));
    assert.deepEqual(entries.slice(0, 8).map((e) => [e.operation, e.argument, e.result]), [
      ['power_on', null, 'ok'], ['power_off', null, 'ok'],
      ['boot_device', 'pxe', 'ok'], ['boot_device', 'disk', 'ok'], ['boot_device', 'none', 'ok'],
      ['power_cycle', null, 'ok'], ['power_cycle', null, 'ok'], ['power_cycle', 'force', 'ok'],
    ]);
    for (const e of entries) {
      assert.ok(typeof e.time === 'string' && !Number.isNaN(Date.parse(e.time as string)), `time ${e.time}`);
    }

    const wrong = (await admin.get(`/v0/obm_audit?node=${nodes.wrong}`)).json as Array<Record<string, unknown>>;
    assert.deepEqual(wrong.map((e) => [e.operation, e.result]), [['power_on', 'error'], ['boot_device', 'error']]);
    assert.match(String(wrong[0]!.message), /Unable to establish/);

    const all = (await admin.get('/v0/obm_audit')).json as unknown[];
    assert.ok(all.length > entries.length);
    expectError(await member.get('/v0/obm_audit'), 401, 'AuthorizationError');
    expectError(await admin.get('/v0/obm_audit?project=x'), 400, 'ValidationError');

    let out = '';
    const stdout = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
    const env = { HAAS_ENDPOINT: `unix:${d.socket}`, HAAS_USERNAME: adminCreds.username, HAAS_PASSWORD: adminCreds.password, HOME: d.dir };
    const code = await runCli({ argv: ['node', 'audit', '--node', nodes.a!, '--json'], commands: nodeCommands, version: 'test', context: { stdout, stderr: stdout, env } });
    assert.equal(code, 0, out);
    assert.deepEqual(JSON.parse(out), entries);
    out = '';
    assert.equal(await runCli({ argv: ['node', 'audit'], commands: nodeCommands, version: 'test', context: { stdout, stderr: stdout, env } }), 0, out);
    assert.match(out, /^TIME\s+USER\s+NODE\s+OPERATION\s+RESULT/);
    assert.ok(out.includes(`${nodes.wrong}  power_on`) || out.includes(nodes.wrong!));
  });
});

describe('the OBM audit table in databases made by an older haas', () => {
  it('is added by the migration from schema version 1, and then records operations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haas-obm-audit-migration-'));
    let d: (Daemon & { cleanup(): Promise<void> }) | undefined;
    try {
      // A version-1 database, as the first release made it.
      const v1 = readFileSync(join(repoRoot, 'test', 'fixtures', 'schema-v1.sql'), 'utf8');
      const db = new Database(join(dir, 'haas.db'));
      db.exec(v1);
      db.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
      db.close();
      d = await startDaemon({ auth: 'null', dir });
      const admin = session(d, null);
      const node = label('migrated');
      expectEmptyOk(await admin.put(`/v0/node/${node}`, { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }));
      await enableObm(admin, node);
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_on`));
      const r = await admin.get(`/v0/obm_audit?node=${node}`);
      expectStatus(r, 200);
      assert.deepEqual(r.json.map((e: Record<string, unknown>) => [e.user, e.operation, e.result]), [['null-auth', 'power_on', 'ok']]);
      await d.stop();
      const after = new Database(join(dir, 'haas.db'), { readonly: true });
      assert.equal((after.prepare('SELECT version FROM schema_version').get() as { version: number }).version, SCHEMA_VERSION);
      after.close();
    } finally {
      await d?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
