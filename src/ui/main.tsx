// The dashboard: signs in through POST /v0/session, then shows the pages of the lab the signed-in
// user may see. Routes live in the URL's hash (#/nodes, #/node/n1) so /ui/ is the only page served.
import './style.css';
import '@xterm/xterm/css/xterm.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, onUnauthorized, setCsrfToken, type WhoAmI } from './api.js';
import { ErrorNote } from './kit.js';
import { Overview } from './pages/overview.js';
import { NodesPage } from './pages/nodes.js';
import { NodePage } from './pages/node.js';
import { NetworksPage, NetworkPage } from './pages/networks.js';
import { ProjectsPage, ProjectPage } from './pages/projects.js';
import { ConsolePage } from './pages/console.js';
import { AdminPage } from './pages/admin.js';

/** What POST/GET /v0/session answers. */
interface SessionInfo { auth: 'database' | 'null'; user: string | null; is_admin: boolean; csrf_token: string | null; expires_at: string | null }

/** Who is signed in, as every page needs it. */
export interface Me { auth: 'database' | 'null'; user: string | null; admin: boolean; projects: string[] }

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#\/?/, '');
}

/** Turn the server's change stream into `haas:change` events the pages refresh on; polling covers its absence. */
function listenForChanges(): () => void {
  if (typeof EventSource === 'undefined') return () => {};
  const source = new EventSource('/v0/events');
  // A burst of changes (a project's nodes released at once) becomes one refresh.
  let pending: ReturnType<typeof setTimeout> | null = null;
  const poke = () => {
    if (pending === null) pending = setTimeout(() => { pending = null; window.dispatchEvent(new Event('haas:change')); }, 300);
  };
  for (const name of ['action', 'lease', 'node']) source.addEventListener(name, poke);
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) source.close(); };
  return () => { source.close(); if (pending !== null) clearTimeout(pending); };
}

function SignIn({ onIn, notice }: { onIn: (s: SessionInfo) => void; notice: string | null }) {
  const [username, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try { onIn(await api<SessionInfo>('POST', '/session', { username, password })); } catch (x) { setError(x instanceof Error ? x : new Error(String(x))); }
    setBusy(false);
  };
  return <div class="signin">
    <form onSubmit={submit} aria-label="Sign in">
      <div class="brand big">haas</div>
      <p class="muted">Hardware as a Service: sign in with your haas user.</p>
      {notice && <div class="notice">{notice}</div>}
      <label>User<input name="username" autocomplete="username" value={username} onInput={(e) => setUser(e.currentTarget.value)} autofocus /></label>
      <label>Password<input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
      <button class="primary" type="submit" disabled={busy}>Sign in</button>
      <ErrorNote error={error} />
    </form>
  </div>;
}

const NAV: [string, string, (me: Me) => boolean][] = [
  ['', 'Overview', () => true],
  ['nodes', 'Nodes', () => true],
  ['networks', 'Networks', () => true],
  ['projects', 'Projects', () => true],
  ['console', 'Console', () => true],
  ['admin', 'Admin', (me) => me.admin],
];

function Page({ route, me }: { route: string; me: Me }) {
  const [head = '', ...rest] = route.split('/');
  const arg = rest.map(decodeURIComponent).join('/');
  switch (head) {
    case '': return <Overview me={me} />;
    case 'nodes': return <NodesPage me={me} />;
    case 'node': return <NodePage me={me} name={arg} />;
    case 'networks': return <NetworksPage me={me} />;
    case 'network': return <NetworkPage me={me} name={arg} />;
    case 'projects': return <ProjectsPage me={me} />;
    case 'project': return <ProjectPage me={me} name={arg} />;
    case 'console': return <ConsolePage target={arg} />;
    case 'admin': return me.admin ? <AdminPage me={me} /> : <p>Only admins see this page.</p>;
    default: return <p>No such page: {route}</p>;
  }
}

function App() {
  const route = useHash();
  const [me, setMe] = useState<Me | null>(null);
  const [state, setState] = useState<'loading' | 'out' | 'in'>('loading');
  const [notice, setNotice] = useState<string | null>(null);

  const enter = async (s: SessionInfo) => {
    setCsrfToken(s.csrf_token);
    const who = await api<WhoAmI>('GET', '/whoami');
    setMe({ auth: s.auth, user: who.user, admin: who.is_admin, projects: who.projects });
    setState('in');
  };
  useEffect(() => {
    onUnauthorized(() => {
      setCsrfToken(null); setMe(null); setState('out');
      setNotice('Your session has expired or was revoked: sign in again.');
    });
    api<SessionInfo>('GET', '/session').then(enter, (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) { setState('out'); return; }
      // A daemon without sessions (or a network hiccup): whoever the API takes us for.
      api<WhoAmI>('GET', '/whoami').then((who) => {
        setMe({ auth: who.user === null ? 'null' : 'database', user: who.user, admin: who.is_admin, projects: who.projects });
        setState('in');
      }, () => { setNotice(e instanceof Error ? e.message : String(e)); setState('out'); });
    });
  }, []);
  useEffect(() => (state === 'in' ? listenForChanges() : undefined), [state]);

  if (state === 'loading') return <div class="loading">Loading…</div>;
  if (state === 'out' || !me) return <SignIn notice={notice} onIn={(s) => { setNotice(null); enter(s).catch((e: unknown) => setNotice(String(e))); }} />;
  const signOut = async () => {
    try { await api('DELETE', '/session'); } catch { /* gone already */ }
    setCsrfToken(null); setMe(null); setState('out'); setNotice('Signed out.');
  };
  const current = route.split('/')[0] ?? '';
  const section = current === 'node' ? 'nodes' : current === 'network' ? 'networks' : current === 'project' ? 'projects' : current;
  return <div class="shell">
    <nav class="side">
      <div class="brand">haas</div>
      {NAV.filter(([, , shown]) => shown(me)).map(([path, label]) =>
        <a href={`#/${path}`} class={section === path ? 'active' : ''}>{label}</a>)}
      <div class="who">
        {me.auth === 'null'
          ? <div class="nullauth" role="status">No authentication (auth = null): everyone is admin.</div>
          : <><div><b>{me.user}</b>{me.admin ? ' (admin)' : ''}</div><div class="muted small">{me.projects.join(', ') || 'no project'}</div>
            <button class="link" onClick={signOut}>Sign out</button></>}
      </div>
    </nav>
    <main><Page route={route} me={me} /></main>
  </div>;
}

render(<App />, document.getElementById('app') ?? document.body);
