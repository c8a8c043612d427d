// One node: its project and lease, NICs with their switch ports and networks (connect, detach),
// OBM power and boot device, metadata, and its audit entries. Only what the user may do is offered.
import { useState } from 'preact/hooks';
import { api, seg, type AuditEntry } from '../api.js';
import { ActButton, Badge, Card, ErrorNote, Header, relTime, trackAction, useLoad, usePolling } from '../kit.js';
import type { Me } from '../main.js';

interface ShownNode { name: string; project: string | null; nics: { label: string; macaddr: string; networks: Record<string, string>; port?: string | null; switch?: string | null }[]; metadata: Record<string, unknown> }
interface LeaseView { node: string; project: string; started_at: string; ends_at: string | null; max_ends_at: string | null; state: string; release_error: string | null }
type Networks = Record<string, { network_id: string; projects: string[] | null }>;

async function loadNode(name: string, admin: boolean) {
  const [node, networks, audit, projects] = await Promise.all([
    api<ShownNode>('GET', `/node/${seg(name)}`),
    api<Networks>('GET', '/networks'),
    api<{ entries: AuditEntry[] }>('GET', `/audit?node=${seg(name)}&limit=20`).catch(() => ({ entries: [] })),
    admin ? api<string[]>('GET', '/projects') : Promise.resolve(null),
  ]);
  const lease = node.project ? await api<LeaseView>('GET', `/node/${seg(name)}/lease`).catch(() => null) : null;
  return { node, networks, audit: audit.entries, projects, lease };
}

function Reserve({ node, projects, done }: { node: string; projects: string[]; done: () => void }) {
  const [project, setProject] = useState(projects[0] ?? '');
  if (projects.length === 0) return <p class="muted">You belong to no project to reserve it for.</p>;
  return <div class="inline">
    <select aria-label="Project" value={project} onChange={(e) => setProject(e.currentTarget.value)}>{projects.map((p) => <option>{p}</option>)}</select>
    <ActButton label="Reserve" kind="primary" run={() => api('POST', `/project/${seg(project)}/connect_node`, { node })} done={done} />
  </div>;
}

function Connect({ node, nic, networks, done }: { node: string; nic: string; networks: string[]; done: () => void }) {
  const [network, setNetwork] = useState(networks[0] ?? '');
  const [channel, setChannel] = useState('');
  if (networks.length === 0) return <span class="muted small">no network you may use</span>;
  const run = async () => {
    const body = channel.trim() === '' ? { network } : { network, channel: channel.trim() };
    const r = await api<{ status_id: string }>('POST', `/node/${seg(node)}/nic/${seg(nic)}/connect_network`, body);
    trackAction(r.status_id, `${node} ${nic} → ${network}`);
  };
  return <span class="inline">
    <select aria-label={`Network for ${nic}`} value={network} onChange={(e) => setNetwork(e.currentTarget.value)}>{networks.map((n) => <option>{n}</option>)}</select>
    <input class="narrow" placeholder="channel (native)" aria-label={`Channel for ${nic}`} value={channel} onInput={(e) => setChannel(e.currentTarget.value)} />
    <ActButton label="Connect" run={run} done={done} />
  </span>;
}

/** The node page. */
export function NodePage({ me, name }: { me: Me; name: string }) {
  const { data, error, reload } = useLoad(() => loadNode(name, me.admin), [name, me.admin]);
  usePolling(reload, 15_000);
  const [power, setPower] = useState<string | null>(null);
  const [extendBy, setExtendBy] = useState('1d');
  const [bootdev, setBootdev] = useState('pxe');
  if (!data) return <><Header title={name} /><ErrorNote error={error} />{!error && <p class="muted">Loading…</p>}</>;
  const { node, lease } = data;
  const mine = me.admin || (node.project !== null && me.projects.includes(node.project));
  const usable = Object.entries(data.networks).filter(([, n]) => me.admin || n.projects === null || (node.project !== null && n.projects.includes(node.project))).map(([k]) => k).sort();
  const reserveFor = me.admin ? (data.projects ?? []) : me.projects;
  const base = `/node/${seg(name)}`;
  const powerCall = (call: string, body?: unknown) => async () => { await api('POST', `${base}/${call}`, body); setPower(`${call.replace('_', ' ')}: done`); };
  return <>
    <Header title={<>{name} {node.project ? <Badge text={node.project} tone="info" /> : <Badge text="free" tone="ok" />}</>}>
      {mine && node.project && <a class="button" href={`#/console/node/${seg(name)}`}>Console</a>}
    </Header>
    <ErrorNote error={error} />
    <div class="grid">
      <Card title="Reservation">
        {node.project === null
          ? <Reserve node={name} projects={reserveFor} done={reload} />
          : <>
            <p>Reserved by <a href={`#/project/${seg(node.project)}`}>{node.project}</a>
              {lease?.ends_at ? <> until <b title={lease.ends_at}>{new Date(lease.ends_at).toLocaleString()}</b> ({relTime(lease.ends_at)})</> : ' with no end set'}.</p>
            {lease?.max_ends_at && <p class="muted small">A member may extend it up to {new Date(lease.max_ends_at).toLocaleString()}.</p>}
            {lease?.release_error && <div class="error">{lease.state}: {lease.release_error}</div>}
            {mine && <div class="inline">
              <select aria-label="Extend by" value={extendBy} onChange={(e) => setExtendBy(e.currentTarget.value)}>{['4h', '1d', '3d', '7d'].map((d) => <option>{d}</option>)}</select>
              <ActButton label={lease?.ends_at ? 'Extend lease' : 'Set a lease end'} run={() => api('PUT', `${base}/lease`, { for: extendBy })} done={reload} title="The lease ends this long from now" />
              <ActButton label="Release" kind="danger" run={() => api('POST', `/project/${seg(node.project!)}/detach_node`, { node: name })} done={reload} />
            </div>}
          </>}
      </Card>
      {mine && <Card title="Power and boot (OBM)">
        <div class="inline">
          <ActButton label="Power on" run={powerCall('power_on')} />
          <ActButton label="Power off" run={powerCall('power_off')} />
          <ActButton label="Power cycle" run={powerCall('power_cycle', {})} />
          <ActButton label="Read state" run={async () => { const r = await api<{ power_status: string }>('GET', `${base}/power_status`); setPower(`power: ${r.power_status}`); }} />
        </div>
        <div class="inline">
          <ActButton label="Enable OBM" title="Power calls and the console need the OBM enabled" run={async () => { await api('PUT', `${base}/obm`, { enabled: true }); setPower('OBM enabled'); }} />
          <ActButton label="Disable OBM" run={async () => { await api('PUT', `${base}/obm`, { enabled: false }); setPower('OBM disabled'); }} />
        </div>
        <div class="inline">
          <select aria-label="Boot device" value={bootdev} onChange={(e) => setBootdev(e.currentTarget.value)}>{['pxe', 'disk', 'none'].map((d) => <option>{d}</option>)}</select>
          <ActButton label="Set boot device" run={async () => { await api('PUT', `${base}/boot_device`, { bootdev }); setPower(`boot device: ${bootdev}`); }} />
        </div>
        {power && <p class="muted small" role="status">{power}</p>}
      </Card>}
    </div>
    <Card title="NICs" wide>
      <table class="plain"><thead><tr><th>NIC</th><th>MAC</th>{me.admin && <th>Switch port</th>}<th>Networks</th>{mine && node.project && <th>Connect</th>}</tr></thead>
        <tbody>{node.nics.map((nic) => <tr data-nic={nic.label}>
          <td><b>{nic.label}</b></td><td class="mono">{nic.macaddr}</td>
          {me.admin && <td class="mono">{nic.switch ? `${nic.switch} ${nic.port}` : <span class="muted">not cabled</span>}</td>}
          <td>{Object.entries(nic.networks).length === 0 ? <span class="muted">none</span> : Object.entries(nic.networks).map(([channel, net]) =>
            <div class="inline"><a href={`#/network/${seg(net)}`}>{net}</a> <span class="muted small">{channel}</span>
              {mine && <ActButton label="Detach" kind="danger" run={async () => {
                const r = await api<{ status_id: string }>('POST', `${base}/nic/${seg(nic.label)}/detach_network`, { network: net });
                trackAction(r.status_id, `${name} ${nic.label} ✕ ${net}`);
              }} done={reload} />}</div>)}</td>
          {mine && node.project && <td><Connect node={name} nic={nic.label} networks={usable} done={reload} /></td>}
        </tr>)}</tbody></table>
      {node.nics.length === 0 && <p class="muted">No NIC registered.</p>}
    </Card>
    <div class="grid">
      <Card title="Metadata">
        {Object.keys(node.metadata).length === 0 ? <p class="muted">None.</p> :
          <table class="plain"><tbody>{Object.entries(node.metadata).map(([k, v]) => <tr><td>{k}</td><td class="mono">{JSON.stringify(v)}</td></tr>)}</tbody></table>}
      </Card>
      <Card title="Audit">
        {data.audit.length === 0 ? <p class="muted">No entry you may see.</p> :
          <table class="plain small"><tbody>{data.audit.map((e) => <tr>
            <td title={e.time}>{relTime(e.time)}</td><td>{e.actor ?? '—'}</td><td>{e.operation}</td><td>{e.network ?? ''}</td>
            <td><Badge text={e.outcome} tone={e.outcome === 'ok' ? 'ok' : e.outcome === 'refused' ? 'warn' : 'bad'} /></td></tr>)}</tbody></table>}
      </Card>
    </div>
  </>;
}
