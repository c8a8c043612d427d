// Projects: an admin sees all of them, a member their own; each with its nodes, networks,
// headnodes and (admins) members.
import { api, seg } from '../api.js';
import { Card, ErrorNote, Header, useLoad } from '../kit.js';
import type { Me } from '../main.js';

type Users = Record<string, { is_admin: boolean; projects: string[] }>;

/** The list of projects. */
export function ProjectsPage({ me }: { me: Me }) {
  const { data, error } = useLoad(() => (me.admin ? api<string[]>('GET', '/projects') : Promise.resolve(me.projects)), [me.admin]);
  return <>
    <Header title="Projects" />
    <ErrorNote error={error} />
    {data && (data.length === 0 ? <p class="muted">{me.admin ? 'No project yet.' : 'You belong to no project.'}</p> :
      <div class="tiles">{data.map((p) => <a class="tile" href={`#/project/${seg(p)}`}>{p}</a>)}</div>)}
  </>;
}

async function loadProject(name: string, admin: boolean) {
  const [nodes, networks, headnodes, users] = await Promise.all([
    api<string[]>('GET', `/project/${seg(name)}/nodes`),
    api<string[]>('GET', `/project/${seg(name)}/networks`),
    api<string[]>('GET', `/project/${seg(name)}/headnodes`).catch(() => []),
    admin ? api<Users>('GET', '/auth/basic/users').catch(() => null) : Promise.resolve(null),
  ]);
  const members = users ? Object.entries(users).filter(([, u]) => u.projects.includes(name)).map(([u]) => u) : null;
  return { nodes, networks, headnodes, members };
}

/** One project. */
export function ProjectPage({ me, name }: { me: Me; name: string }) {
  const { data, error } = useLoad(() => loadProject(name, me.admin), [name, me.admin]);
  const list = (items: string[], href: (s: string) => string | null, none: string) => items.length === 0 ? <p class="muted">{none}</p> :
    <ul class="chips">{items.map((i) => { const h = href(i); return <li>{h ? <a href={h}>{i}</a> : i}</li>; })}</ul>;
  return <>
    <Header title={<>Project {name}</>} />
    <ErrorNote error={error} />
    {data && <div class="grid">
      <Card title={`Nodes (${data.nodes.length})`}>{list(data.nodes, (n) => `#/node/${seg(n)}`, 'No node.')}</Card>
      <Card title="Networks it can use">{list(data.networks, (n) => `#/network/${seg(n)}`, 'No network.')}</Card>
      <Card title="Headnodes">{list(data.headnodes, (h) => `#/console/headnode/${seg(h)}`, 'No headnode.')}</Card>
      {data.members && <Card title="Members">{list(data.members, () => null, 'No member.')}</Card>}
    </div>}
  </>;
}
