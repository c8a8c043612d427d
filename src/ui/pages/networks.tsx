// Networks: the ones the user may see, a form to create one (owned by a project of the user, or
// public for an admin), and each network's owner, access list and attached NICs.
import { useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import { ActButton, Badge, Card, ErrorNote, Header, useLoad, usePolling } from '../kit.js';
import type { Me } from '../main.js';

type Networks = Record<string, { network_id: string; projects: string[] | null }>;
interface ShownNetwork { name: string; owner: string; access: string[] | null; channels: string[]; 'connected-nodes': Record<string, string[]> }

function CreateNetwork({ me, done }: { me: Me; done: () => void }) {
  const owners = me.admin ? ['admin', ...me.projects] : me.projects;
  const [name, setName] = useState('');
  const [owner, setOwner] = useState(owners[0] ?? '');
  const [netId, setNetId] = useState('');
  const { data: projects } = useLoad(() => (me.admin ? api<string[]>('GET', '/projects') : Promise.resolve(me.projects)), [me.admin]);
  const choices = me.admin ? ['admin', ...(projects ?? [])] : owners;
  if (choices.length === 0) return <p class="muted">You belong to no project, so you cannot create a network.</p>;
  const body = () => {
    const access = owner === 'admin' ? '' : owner;
    return { owner, access, net_id: owner === 'admin' ? netId : '' };
  };
  return <form class="inline" onSubmit={(e) => e.preventDefault()} aria-label="Create a network">
    <input placeholder="network name" aria-label="Network name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
    <select aria-label="Owner" value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>{choices.map((o) => <option>{o}</option>)}</select>
    {owner === 'admin' && <input class="narrow" placeholder="VLAN id (empty: from pool)" aria-label="VLAN id" value={netId} onInput={(e) => setNetId(e.currentTarget.value)} />}
    <ActButton label="Create network" kind="primary" run={() => api('PUT', `/network/${seg(name.trim())}`, body())} done={() => { setName(''); done(); }} />
  </form>;
}

/** The list of networks. */
export function NetworksPage({ me }: { me: Me }) {
  const { data, error, reload } = useLoad(() => api<Networks>('GET', '/networks'), []);
  usePolling(reload, 30_000);
  return <>
    <Header title="Networks" />
    <Card title="New network" wide><CreateNetwork me={me} done={reload} /></Card>
    <ErrorNote error={error} />
    {data && <table class="plain list" aria-label="Networks"><thead><tr><th>Network</th><th>VLAN / id</th><th>Access</th></tr></thead>
      <tbody>{Object.entries(data).sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => <tr>
        <td><a href={`#/network/${seg(name)}`}>{name}</a></td><td class="mono">{n.network_id}</td>
        <td>{n.projects === null ? <Badge text="public" tone="info" /> : n.projects.join(', ')}</td></tr>)}</tbody></table>}
    {data && Object.keys(data).length === 0 && <p class="muted">No network you may see.</p>}
  </>;
}

/** One network. */
export function NetworkPage({ me, name }: { me: Me; name: string }) {
  const { data, error, reload } = useLoad(() => api<ShownNetwork>('GET', `/network/${seg(name)}`), [name]);
  usePolling(reload, 15_000);
  const owns = data !== null && (me.admin || me.projects.includes(data.owner));
  return <>
    <Header title={<>Network {name}</>}>
      {owns && <ActButton label="Delete network" kind="danger" run={() => api('DELETE', `/network/${seg(name)}`)} done={() => { location.hash = '#/networks'; }} />}
    </Header>
    <ErrorNote error={error} />
    {data && <div class="grid">
      <Card title="Ownership">
        <p>Owner: <b>{data.owner}</b></p>
        <p>Access: {data.access === null ? <Badge text="public" tone="info" /> : data.access.map((p) => <Badge text={p} tone="muted" />)}</p>
        <p>Channels: <span class="mono small">{data.channels.join(' ')}</span></p>
      </Card>
      <Card title="Attached NICs">
        {Object.keys(data['connected-nodes']).length === 0 ? <p class="muted">No NIC you may see is on it.</p> :
          <table class="plain"><tbody>{Object.entries(data['connected-nodes']).map(([node, nics]) =>
            <tr><td><a href={`#/node/${seg(node)}`}>{node}</a></td><td>{nics.join(', ')}</td></tr>)}</tbody></table>}
      </Card>
    </div>}
  </>;
}
