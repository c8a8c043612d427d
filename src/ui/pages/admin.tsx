// Admin: the switches with their ports, last drift check and an on-demand verify; the users with
// their projects. Shown only to admins (the API refuses the rest anyway).
import { useState } from 'preact/hooks';
import { api, seg } from '../api.js';
import { ActButton, Badge, Card, ErrorNote, Header, relTime, useLoad } from '../kit.js';
import type { Me } from '../main.js';

interface SwitchDetails { name: string; type: string; host: string | null; ports: { label: string }[]; capabilities: string[] }
interface DriftReport { switch: string; checked_at: string | null; result: 'ok' | 'drift' | 'error' | 'unchecked'; ports: number; drift: Record<string, unknown>; error?: string }
interface VerifyReport { switch: string; ports: Record<string, unknown>; drift: string[]; fixed?: string[]; errors?: Record<string, string> }
type Users = Record<string, { is_admin: boolean; projects: string[] }>;

const DRIFT_TONE = { ok: 'ok', drift: 'warn', error: 'bad', unchecked: 'muted' } as const;

async function loadSwitches() {
  const names = await api<string[]>('GET', '/switches');
  return Promise.all(names.sort().map(async (s) => {
    const [details, drift] = await Promise.all([
      api<SwitchDetails>('GET', `/switch/${seg(s)}/details`),
      api<DriftReport>('GET', `/switch/${seg(s)}/drift`).catch(() => null),
    ]);
    return { details, drift };
  }));
}

function SwitchCard({ details, drift }: { details: SwitchDetails; drift: DriftReport | null }) {
  const [verify, setVerify] = useState<VerifyReport | null>(null);
  const [open, setOpen] = useState(false);
  return <section class="card wide">
    <div class="page-head"><h2 class="title">{details.name} <span class="muted small">{details.type}{details.host ? ` · ${details.host}` : ''}</span></h2>
      <div class="head-actions">
        {drift && <Badge text={drift.result === 'drift' ? `drift on ${Object.keys(drift.drift).length} ports` : drift.result} tone={DRIFT_TONE[drift.result]} />}
        {drift?.checked_at && <span class="muted small">checked {relTime(drift.checked_at)}</span>}
        <ActButton label="Verify now" run={async () => setVerify(await api<VerifyReport>('POST', `/switch/${seg(details.name)}/verify`, {}))} />
      </div></div>
    {drift?.error && <div class="error">{drift.error}</div>}
    {verify && <p role="status">{verify.drift.length === 0 ? <Badge text="every port matches" tone="ok" /> : <>Drifted: <span class="mono">{verify.drift.join(', ')}</span></>}</p>}
    <button class="link" onClick={() => setOpen(!open)}>{open ? 'Hide' : 'Show'} {details.ports.length} ports</button>
    {open && <ul class="chips mono">{details.ports.map((p) => <li>{p.label}</li>)}</ul>}
  </section>;
}

/** The admin page. */
export function AdminPage({ me }: { me: Me }) {
  const switches = useLoad(loadSwitches, []);
  const users = useLoad(() => (me.auth === 'database' ? api<Users>('GET', '/auth/basic/users') : Promise.resolve(null)), [me.auth]);
  return <>
    <Header title="Admin" />
    <h2 class="section">Switches</h2>
    <ErrorNote error={switches.error} />
    {switches.data?.length === 0 && <p class="muted">No switch registered.</p>}
    {switches.data?.map((s) => <SwitchCard details={s.details} drift={s.drift} />)}
    <h2 class="section">Users</h2>
    <ErrorNote error={users.error} />
    {me.auth === 'null' ? <p class="muted">No users under auth = null.</p> : users.data &&
      <Card title={`${Object.keys(users.data).length} users`} wide>
        <table class="plain"><thead><tr><th>User</th><th>Role</th><th>Projects</th><th /></tr></thead>
          <tbody>{Object.entries(users.data).sort(([a], [b]) => a.localeCompare(b)).map(([u, info]) => <tr>
            <td><b>{u}</b></td><td>{info.is_admin ? <Badge text="admin" tone="info" /> : 'member'}</td><td>{info.projects.join(', ')}</td>
            <td><ActButton label="End sessions" run={() => api('DELETE', `/user/${seg(u)}/sessions`)} /></td></tr>)}</tbody></table>
      </Card>}
  </>;
}
