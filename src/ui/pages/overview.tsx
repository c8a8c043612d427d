// Overview: what a lab user asks first. Which nodes are free, who holds what until when, power,
// VLAN use, the actions in flight or failed, and (admins) the switches that drifted.
import { api, allNodeDetails, type AuditEntry } from '../api.js';
import { Badge, Card, ErrorNote, Header, actionTone, relTime, useLoad, usePolling, useTrackedActions } from '../kit.js';
import type { Me } from '../main.js';

const SOON_MS = 24 * 3600 * 1000;

/** GET /v0/drift: the last periodic check of each switch. */
interface Drift { interval: number; switches: { switch: string; checked_at: string | null; result: 'ok' | 'drift' | 'error' | 'unchecked'; ports: number; drift: Record<string, unknown>; error?: string }[] }

/** Everything the overview shows, in one refresh: node_details pages, networks, recent failures, drift (admin). */
async function loadOverview(admin: boolean) {
  const [nodes, networks, failed, drift] = await Promise.all([
    allNodeDetails(),
    api<Record<string, { network_id: string; projects: string[] | null }>>('GET', '/networks'),
    api<{ entries: AuditEntry[] }>('GET', '/audit?outcome=error&limit=10').catch(() => ({ entries: [] })),
    admin ? api<Drift>('GET', '/drift').catch(() => null) : Promise.resolve(null),
  ]);
  return { nodes, networks, failed: failed.entries, drift };
}

/** The overview page. */
export function Overview({ me }: { me: Me }) {
  const { data, error, reload } = useLoad(() => loadOverview(me.admin), [me.admin]);
  usePolling(reload, 10_000);
  const actions = useTrackedActions();
  if (!data) return <><Header title="Overview" /><ErrorNote error={error} />{!error && <p class="muted">Loading…</p>}</>;
  const { nodes } = data;
  const free = nodes.filter((n) => n.project === null);
  const byProject = new Map<string, number>();
  for (const n of nodes) if (n.project) byProject.set(n.project, (byProject.get(n.project) ?? 0) + 1);
  const soon = nodes.filter((n) => n.lease && Date.parse(n.lease.ends_at) - Date.now() < SOON_MS)
    .sort((a, b) => Date.parse(a.lease!.ends_at) - Date.parse(b.lease!.ends_at));
  const on = nodes.filter((n) => n.power?.state === 'on').length;
  const off = nodes.filter((n) => n.power?.state === 'off').length;
  const vlans = Object.values(data.networks).filter((n) => /^\d+$/.test(n.network_id)).length;
  const driftEntries = (data.drift?.switches ?? []).filter((s) => s.result === 'drift' || s.result === 'error');
  return <>
    <Header title="Overview"><span class="muted small">updates by itself</span></Header>
    <ErrorNote error={error} />
    <div class="stats">
      <a class="stat" href="#/nodes"><b>{nodes.length}</b><span>nodes</span></a>
      <a class="stat ok" href="#/nodes"><b data-testid="free-count">{free.length}</b><span>free</span></a>
      <div class="stat"><b>{nodes.length - free.length}</b><span>reserved</span></div>
      <div class={soon.length ? 'stat warn' : 'stat'}><b>{soon.length}</b><span>lease ending within 24 h</span></div>
      <div class="stat"><b>{on} / {off}</b><span>powered on / off ({nodes.length - on - off} not known)</span></div>
      <a class="stat" href="#/networks"><b>{vlans}</b><span>VLANs in use ({Object.keys(data.networks).length} networks)</span></a>
    </div>
    <div class="grid">
      <Card title="Reserved per project">
        {byProject.size === 0 ? <p class="muted">No node is reserved.</p> :
          <table class="plain"><tbody>{[...byProject].sort((a, b) => b[1] - a[1]).map(([p, n]) =>
            <tr><td><a href={`#/project/${encodeURIComponent(p)}`}>{p}</a></td><td class="num">{n}</td>
              <td class="bar"><span style={{ width: `${Math.round((100 * n) / Math.max(...byProject.values()))}%` }} /></td></tr>)}</tbody></table>}
      </Card>
      <Card title="Leases ending soon">
        {soon.length === 0 ? <p class="muted">None within 24 hours.</p> :
          <table class="plain"><tbody>{soon.slice(0, 8).map((n) =>
            <tr><td><a href={`#/node/${encodeURIComponent(n.name)}`}>{n.name}</a></td><td>{n.project}</td><td>{relTime(n.lease!.ends_at)}</td></tr>)}</tbody></table>}
      </Card>
      <Card title="Networking actions">
        {actions.length === 0 ? <p class="muted">No action started from this browser.</p> :
          <table class="plain" data-testid="actions"><tbody>{actions.map((a) =>
            <tr><td>{a.label}</td><td><Badge text={a.detail?.status ?? '…'} tone={actionTone(a.detail?.status)} /></td></tr>)}</tbody></table>}
      </Card>
      <Card title="Recently failed">
        {data.failed.length === 0 ? <p class="muted">Nothing failed lately.</p> :
          <table class="plain"><tbody>{data.failed.map((e) =>
            <tr><td class="small">{relTime(e.time)}</td><td>{e.operation}</td><td>{e.node ?? e.network ?? ''}</td><td><Badge text={e.error_type ?? 'error'} tone="bad" /></td></tr>)}</tbody></table>}
      </Card>
      {me.admin && <Card title="Switches">
        {data.drift === null ? <p class="muted">No drift check has run.</p> : driftEntries.length === 0 ? <p class="muted">No switch drifted or failed its last check.</p> :
          <table class="plain"><tbody>{driftEntries.map((d) =>
            <tr><td><a href="#/admin">{d.switch}</a></td><td>{d.result === 'error' ? <Badge text={d.error ?? 'error'} tone="bad" /> : <Badge text={`${Object.keys(d.drift).length} of ${d.ports} ports drifted`} tone="warn" />}</td><td class="small muted">{relTime(d.checked_at)}</td></tr>)}</tbody></table>}
      </Card>}
    </div>
  </>;
}
