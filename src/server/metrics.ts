// GET /metrics: the daemon's figures in the Prometheus text format (prom-client, on a registry of
// our own). What happens while the daemon runs is counted as it happens (requests, failed logins,
// finished actions, device calls); what the inventory holds is read when scraped (collect
// callbacks over core/figures.ts: a few COUNT queries). Who may scrape: any caller on the unix
// socket or on a loopback address; from elsewhere an admin, or the bearer token of
// `[metrics] token_file`.
import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { Core, Principal } from '../core/context.js';
import { driftFigures, headnodeFigures, leaseFigures, nodeFigures, quotaFigures, switchQueues, vlanPoolFigures } from '../core/figures.js';
import { AuthorizationError } from '../errors.js';

/** Where a device call went: a switch (by label) or a node's BMC (by the node's label). */
export type DeviceKind = 'switch' | 'bmc';

/** Latency buckets (seconds) of API requests: most answer in a millisecond; KDF logins take ~0.1 s. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Latency buckets (seconds) of device calls: SSH logins and CLI saves take seconds. */
const DEVICE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** One (route template, method, status) of the API: how many requests, and their latencies by bucket. */
interface RequestCell {
  readonly route: string; readonly method: string; readonly status: number;
  /** Requests per latency bucket (HTTP_BUCKETS, then +Inf): not cumulative. */
  readonly buckets: Float64Array;
  sum: number; count: number;
}

/**
 * The API's request counts and latencies, kept in plain arrays: counting a request is three Map
 * lookups on strings the router already holds and a bucket search. prom-client's own counter and
 * histogram hash a label object on every call; measured with callgrind on GET /v0/node/<n>, that
 * and the rest of the per-request bookkeeping cost more than the access log. The figures are handed
 * to prom-client (which writes the exposition) as two metrics when scraped.
 */
class RequestFigures {
  /** route -> method -> status -> cell. */
  private readonly cells = new Map<string, Map<string, Map<number, RequestCell>>>();
  /** Every cell, in the order first seen. */
  private readonly all: RequestCell[] = [];

  record(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.cells.get(route);
    if (byMethod === undefined) this.cells.set(route, byMethod = new Map());
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, byStatus = new Map());
    let cell = byStatus.get(status);
    if (cell === undefined) {
      cell = { route, method, status, buckets: new Float64Array(HTTP_BUCKETS.length + 1), sum: 0, count: 0 };
      byStatus.set(status, cell);
      this.all.push(cell);
    }
    let b = 0;
    while (b < HTTP_BUCKETS.length && seconds > HTTP_BUCKETS[b]!) b++;
    cell.buckets[b]!++;
    cell.sum += seconds;
    cell.count++;
  }

  /** haas_http_requests_total, as prom-client's registry reads a metric. */
  counter(): Metric {
    const all = this.all;
    return asMetric({
      name: 'haas_http_requests_total', help: 'API requests answered, by method, route template and status.', type: 'counter',
      values: () => all.map((c) => ({ labels: { method: c.method, route: c.route, status: String(c.status) }, value: c.count })),
    });
  }

  /** haas_http_request_duration_seconds (by method and route: the statuses summed), as prom-client's registry reads a metric. */
  histogram(): Metric {
    const all = this.all;
    const name = 'haas_http_request_duration_seconds';
    return asMetric({
      name, help: 'Time to answer an API request, by method and route template.', type: 'histogram',
      values: () => {
        const sums = new Map<string, { method: string; route: string; buckets: Float64Array; sum: number; count: number }>();
        for (const c of all) {
          const key = `${c.method} ${c.route}`;
          let s = sums.get(key);
          if (!s) sums.set(key, s = { method: c.method, route: c.route, buckets: new Float64Array(HTTP_BUCKETS.length + 1), sum: 0, count: 0 });
          for (let b = 0; b < c.buckets.length; b++) s.buckets[b]! += c.buckets[b]!;
          s.sum += c.sum;
          s.count += c.count;
        }
        const values: MetricValue[] = [];
        for (const s of sums.values()) {
          const labels = { method: s.method, route: s.route };
          let cumulative = 0;
          for (let b = 0; b < s.buckets.length; b++) {
            cumulative += s.buckets[b]!;
            values.push({ labels: { ...labels, le: b < HTTP_BUCKETS.length ? HTTP_BUCKETS[b]! : '+Inf' }, value: cumulative, metricName: `${name}_bucket` });
          }
          values.push({ labels, value: s.sum, metricName: `${name}_sum` });
          values.push({ labels, value: s.count, metricName: `${name}_count` });
        }
        return values;
      },
    });
  }
}

/** A value as prom-client's registry formats it. */
interface MetricValue { labels: Record<string, string | number>; value: number; metricName?: string }

/**
 * A metric whose values are computed when scraped, in the shape prom-client's Registry reads
 * (`get()`: name, help, type, values); the registry formats it like its own.
 */
function asMetric(m: { name: string; help: string; type: 'counter' | 'histogram'; values: () => MetricValue[] }): Metric {
  const metric = {
    name: m.name, help: m.help, type: m.type, aggregator: 'sum' as const,
    get: async () => ({ name: m.name, help: m.help, type: m.type, aggregator: 'sum' as const, values: m.values() }),
    reset: () => {},
  };
  return metric as unknown as Metric;
}

/** The daemon's metrics: a private registry, the counters the daemon feeds, and gauges read from core when scraped. */
export class DaemonMetrics {
  /** The registry /metrics exposes (never prom-client's global one). */
  readonly registry = new Registry();
  private readonly requests = new RequestFigures();
  private readonly logins: Counter;
  private readonly actions: Counter<'status'>;
  private readonly deviceLatency: Histogram<'kind' | 'device'>;
  private readonly deviceErrors: Counter<'kind' | 'device'>;

  constructor() {
    const registers = [this.registry];
    this.registry.registerMetric(this.requests.counter());
    this.registry.registerMetric(this.requests.histogram());
    this.logins = new Counter({ name: 'haas_failed_logins_total', help: 'Logins refused: wrong credentials (401) or throttled (429).', registers });
    this.actions = new Counter({ name: 'haas_networking_actions_total', help: 'Networking actions finished since start-up, by status (DONE, ERROR).', labelNames: ['status'], registers });
    this.deviceLatency = new Histogram({ name: 'haas_device_call_duration_seconds', help: 'Time of one call to a device: kind switch (by label) or bmc (by node).', labelNames: ['kind', 'device'], buckets: DEVICE_BUCKETS, registers });
    this.deviceErrors = new Counter({ name: 'haas_device_call_errors_total', help: 'Device calls that failed, by kind and device.', labelNames: ['kind', 'device'], registers });
    for (const status of ['DONE', 'ERROR']) this.actions.labels(status).inc(0);
  }

  /** Add haas_log_lines_lost_total, read from the daemon's log when scraped. */
  watchLog(log: { readonly lost: number }): void {
    this.registry.registerMetric(asMetric({
      name: 'haas_log_lines_lost_total', help: 'Log lines the daemon could not write (a full disk under the log file, a closed pipe).', type: 'counter',
      values: () => [{ labels: {}, value: log.lost }],
    }));
  }

  /** Add the gauges read from core's inventory when scraped (once, when core exists). */
  watchInventory(core: Core): void { inventoryGauges(core, [this.registry]); }

  /** Count one answered request; `route` is its template, never the raw path. */
  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.record(method, route, status, seconds);
  }

  /** Count one refused login. */
  failedLogin(): void { this.logins.inc(); }

  /** Count one networking action that ended DONE or ERROR. */
  actionFinished(status: 'DONE' | 'ERROR'): void { this.actions.labels(status).inc(); }

  /** Count one call to a device, and whether it failed. */
  deviceCall(kind: DeviceKind, device: string, seconds: number, failed: boolean): void {
    this.deviceLatency.labels(kind, device).observe(seconds);
    if (failed) this.deviceErrors.labels(kind, device).inc();
    else this.deviceErrors.labels(kind, device).inc(0);
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

/** The gauges read from the inventory (and the drift ledger) when scraped. */
function inventoryGauges(core: Core, registers: Registry[]): void {
  new Gauge({ name: 'haas_switch_queue_pending_actions', help: 'PENDING networking actions per switch.', labelNames: ['switch'], registers,
    collect() {
      this.reset();
      for (const q of switchQueues(core)) this.labels(q.switch).set(q.pending);
    } });
  new Gauge({ name: 'haas_switch_queue_oldest_pending_seconds', help: 'Age of the oldest PENDING networking action per switch.', labelNames: ['switch'], registers,
    collect() {
      this.reset();
      for (const q of switchQueues(core)) this.labels(q.switch).set(q.oldestAgeSeconds);
    } });
  new Gauge({ name: 'haas_vlan_pool_size', help: 'VLAN ids in the pool ([network] vlan_pool).', registers,
    collect() { this.set(vlanPoolFigures(core).size); } });
  new Gauge({ name: 'haas_vlan_pool_used', help: 'VLAN ids of the pool held by networks.', registers,
    collect() { this.set(vlanPoolFigures(core).used); } });
  new Gauge({ name: 'haas_nodes', help: 'Nodes, by state: free or reserved (in a project).', labelNames: ['state'], registers,
    collect() {
      const n = nodeFigures(core);
      this.labels('free').set(n.total - n.reserved);
      this.labels('reserved').set(n.reserved);
    } });
  new Gauge({ name: 'haas_headnodes', help: 'Headnodes, by status.', labelNames: ['status'], registers,
    collect() { for (const [status, n] of Object.entries(headnodeFigures(core))) this.labels(status).set(n); } });
  new Gauge({ name: 'haas_leases', help: 'Leases: active (held), ending (within [leases] warn_before), releasing.', labelNames: ['state'], registers,
    collect() { for (const [state, n] of Object.entries(leaseFigures(core))) this.labels(state).set(n); } });
  new Gauge({ name: 'haas_quota_used', help: 'What each project holds, by quota kind (nodes, networks, headnodes).', labelNames: ['project', 'kind'], registers,
    collect() {
      this.reset();
      for (const q of quotaFigures(core)) this.labels(q.project, q.kind).set(q.used);
    } });
  new Gauge({ name: 'haas_quota_limit', help: 'Each project\'s quota by kind; absent when it has no limit.', labelNames: ['project', 'kind'], registers,
    collect() {
      this.reset();
      for (const q of quotaFigures(core)) if (q.limit !== null) this.labels(q.project, q.kind).set(q.limit);
    } });
  new Gauge({ name: 'haas_drift_ports', help: 'Ports found drifting by the last drift check of each switch.', labelNames: ['switch'], registers,
    collect() {
      this.reset();
      for (const d of driftFigures(core)) this.labels(d.switch).set(d.driftingPorts);
    } });
  new Gauge({ name: 'haas_drift_check_failed', help: '1 when the last drift check of the switch could not read it, 0 when it could (absent before the first).', labelNames: ['switch'], registers,
    collect() {
      this.reset();
      for (const d of driftFigures(core)) if (d.readable !== null) this.labels(d.switch).set(d.readable ? 0 : 1);
    } });
}

/** Whether a peer address is a loopback one (IPv4, IPv6, or IPv4 mapped into IPv6). */
function isLoopbackPeer(address: string | undefined): boolean {
  return address !== undefined && (/^(::ffff:)?127\./i.test(address) || address === '::1');
}

/** Whether `authorization` is `Bearer <token>` with the configured token (compared in constant time). */
function bearerMatches(authorization: string | undefined, token: Buffer | null): boolean {
  if (token === null || authorization === undefined || !authorization.startsWith('Bearer ')) return false;
  const given = Buffer.from(authorization.slice(7).trim());
  return given.length === token.length && timingSafeEqual(given, token);
}

/**
 * Whether a scrape may be answered: from the unix socket (no remote address) or loopback, always;
 * else with the bearer token, or as an admin (`principal` authenticates the Basic header and
 * throws 401 on bad credentials). Throws AuthorizationError otherwise.
 */
export async function authorizeScrape(remoteAddress: string | undefined, authorization: string | undefined, token: Buffer | null,
  principal: () => Promise<Principal>): Promise<void> {
  if (remoteAddress === undefined || isLoopbackPeer(remoteAddress)) return;
  if (bearerMatches(authorization, token)) return;
  if (authorization?.startsWith('Bearer ')) throw new AuthorizationError('The bearer token is not the one of [metrics] token_file.');
  if (!(await principal()).admin) throw new AuthorizationError('Scraping /metrics from another host requires an admin or the [metrics] token.');
}
