// GET /metrics read by a real Prometheus (Debian's `prometheus` package): promtool checks the alert
// rules and a scrape, then a Prometheus on loopback scrapes the daemon every second and the values
// of known operations are read back through its query API (its parser and PromQL engine, not ours).
// The dashboard's queries are run through the same API: each must parse and name metrics haas serves.
// Skipped, saying so, when prometheus is not installed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, repoRoot, startDaemon, waitAction, type Credentials } from './lib/daemon.js';
import { cableNic, connectNode, createNetwork, createProject, enableObm, ok, registerNic, registerNode, registerPort, registerSwitch, session } from './lib/fixtures.js';

const installed = spawnSync('prometheus', ['--version']).status === 0 && spawnSync('promtool', ['--version']).status === 0;
const skip = installed ? false : 'prometheus/promtool not installed (apt-get install prometheus)';

const admin: Credentials = { username: 'admin', password: 'admin-pw' };
const ALERTS = resolve(repoRoot, 'docs/prometheus-alerts.yml');
const DASHBOARD = resolve(repoRoot, 'docs/grafana-dashboard.json');

/** A Prometheus on loopback in a temp dir, scraping `target` every second. */
class Prometheus {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'haas-test-prom-'));
  port = 0;
  log = '';

  async start(target: string): Promise<void> {
    this.port = await freePort();
    writeFileSync(join(this.dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(ALERTS)}]`,
      'scrape_configs:',
      `  - { job_name: haas, static_configs: [{ targets: [${JSON.stringify(target)}] }] }`,
    ].join('\n') + '\n');
    this.child = spawn('prometheus', [`--config.file=${join(this.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(this.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${this.port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => { this.log += d; });
    this.child.stderr!.on('data', (d) => { this.log += d; });
    await this.until('prometheus ready', async () => (await fetch(`http://127.0.0.1:${this.port}/-/ready`).catch(() => null))?.ok === true);
  }

  /** The API's answer to an instant query (throws on a query Prometheus refuses). */
  async query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const r = await fetch(`http://127.0.0.1:${this.port}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = await r.json() as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
    return body.data.result;
  }

  /** The single value of `expr`, or null when it has none. */
  async value(expr: string): Promise<number | null> {
    const r = await this.query(expr);
    return r.length === 0 ? null : Number(r[0]!.value[1]);
  }

  /** Poll `check` until it holds (a scrape comes every second); fail with `what` after 30 s. */
  async until(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      if (this.child?.exitCode !== null) throw new Error(`prometheus exited: ${this.log}`);
      if (Date.now() > deadline) throw new Error(`${what}: not within 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Wait until `expr` has the value `want` in a scrape. */
  async becomes(expr: string, want: number): Promise<void> {
    let last: number | null = null;
    await this.until(`${expr} == ${want} (last seen ${last})`, async () => (last = await this.value(expr)) === want)
      .catch((e) => { throw new Error(`${(e as Error).message}; last value ${last}`); });
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('metrics through a real Prometheus', { skip }, () => {
  let d: Awaited<ReturnType<typeof startDaemon>>;
  const prom = new Prometheus();
  const a = () => session(d, admin);

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin], config: '[drift]\ninterval = 0\n[network]\nvlan_pool = 100-199\n' });
    await prom.start(`127.0.0.1:${d.port}`);
    await prom.becomes('up{job="haas"}', 1);
  });
  after(async () => {
    await prom.stop();
    await d?.cleanup();
  });

  test('promtool accepts the alert rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', ALERTS], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS/);
  });

  test('promtool accepts a scrape (format and naming)', async () => {
    const scrape = await d.request('GET', '/metrics');
    ok(scrape);
    assert.match(String(scrape.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: scrape.text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('the VLAN pool: its size, and a network takes one of its ids', async () => {
    await prom.becomes('haas_vlan_pool_size', 100);
    const before = (await prom.value('haas_vlan_pool_used'))!;
    await createNetwork(a(), { owner: 'admin', access: '' });
    await prom.becomes('haas_vlan_pool_used', before + 1);
  });

  test('a failed login counts once', async () => {
    const before = (await prom.value('haas_failed_logins_total'))!;
    const r = await d.request('GET', '/v0/nodes/all', { auth: { username: 'admin', password: 'wrong' } });
    assert.equal(r.status, 401);
    await prom.becomes('haas_failed_logins_total', before + 1);
  });

  test('a request is counted under its route template, never its path', async () => {
    const r = await d.request('GET', '/v0/node/no-such-node', { auth: admin });
    assert.equal(r.status, 404);
    await prom.becomes('haas_http_requests_total{method="GET",route="/v0/node/:node",status="404"}', 1);
    assert.deepEqual(await prom.query('{__name__=~"haas_http.*",route=~".*no-such-node.*"}'), []);
    assert.ok((await prom.value('sum(haas_http_request_duration_seconds_count{route="/v0/node/:node"})'))! >= 1);
  });

  test('a networking action: DONE counted, its switch calls timed, the queue empty again; nodes and BMC calls', async () => {
    const s = a();
    const reserved = (await prom.value('haas_nodes{state="reserved"}'))!;
    const project = await createProject(s);
    const node = await registerNode(s);
    const nic = await registerNic(s, node);
    const sw = await registerSwitch(s);
    const port = await registerPort(s, sw);
    await cableNic(s, sw, port, node, nic);
    await connectNode(s, project, node);
    await prom.becomes('haas_nodes{state="reserved"}', reserved + 1);
    const net = await createNetwork(s, { owner: project, access: project });
    const done = (await prom.value('haas_networking_actions_total{status="DONE"}'))!;
    const r = ok(await s.post(`/v0/node/${node}/nic/${nic}/connect_network`, { network: net }), 202);
    assert.equal((await waitAction(d, r.json.status_id, admin)).status, 'DONE');
    await prom.becomes('haas_networking_actions_total{status="DONE"}', done + 1);
    await prom.becomes(`haas_device_call_duration_seconds_count{kind="switch",device="${sw}"}`, 1);
    await prom.becomes(`haas_device_call_errors_total{kind="switch",device="${sw}"}`, 0);
    assert.equal(await prom.value(`haas_switch_queue_pending_actions{switch="${sw}"}`), null);
    await prom.becomes(`haas_quota_used{project="${project}",kind="nodes"}`, 1);

    await enableObm(s, node);
    ok(await s.post(`/v0/node/${node}/power_on`));
    await prom.becomes(`haas_device_call_duration_seconds_count{kind="bmc",device="${node}"}`, 1);
  });

  test('the alert rules load and evaluate against the scraped series', async () => {
    await prom.until('rules loaded', async () => {
      const r = await fetch(`http://127.0.0.1:${prom.port}/api/v1/rules`);
      const body = await r.json() as { data: { groups: { rules: { health: string; lastError?: string }[] }[] } };
      const rules = body.data.groups.flatMap((g) => g.rules);
      const bad = rules.filter((x) => x.health === 'err');
      assert.deepEqual(bad, []);
      return rules.length > 0 && rules.every((x) => x.health === 'ok');
    });
  });

  test('every dashboard query parses and names only metrics haas serves', async () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const served = new Set((await d.request('GET', '/metrics')).text.split('\n')
      .filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!));
    const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr));
    assert.ok(exprs.length >= 10);
    for (const expr of exprs) {
      for (const name of expr.match(/\bhaas_[a-z_]+/g) ?? []) {
        const base = name.replace(/_(bucket|sum|count)$/, '');
        assert.ok(served.has(name) || served.has(base), `dashboard query names ${name}, which haas does not serve: ${expr}`);
      }
      // Grafana's own variable, as Grafana would substitute it.
      await prom.query(expr.replaceAll('$__rate_interval', '1m'));
    }
  });
});
