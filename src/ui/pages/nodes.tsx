// Nodes: every node the user may see in one sortable, filterable table. Only the rows in view are
// in the DOM (fixed row height), so 10,000 nodes scroll and sort without delay; the arrow keys
// move the selection and Enter opens the node.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { allNodeDetails, type NodeDetail } from '../api.js';
import { Badge, ErrorNote, Header, relTime, useLoad, usePolling } from '../kit.js';
import type { Me } from '../main.js';

const ROW = 34;
const OVERSCAN = 8;

type Key = 'name' | 'project' | 'lease' | 'power' | 'nics' | 'networks';

const COLUMNS: [Key, string][] = [
  ['name', 'Node'], ['project', 'Project'], ['lease', 'Lease ends'], ['power', 'Power'], ['nics', 'NICs'], ['networks', 'Networks'],
];

const networksOf = (n: NodeDetail): string[] => [...new Set(n.nics.flatMap((c) => Object.values(c.networks)))].sort();

function sortValue(n: NodeDetail, key: Key): string | number {
  switch (key) {
    case 'name': return n.name;
    case 'project': return n.project ?? '';
    case 'lease': return n.lease ? Date.parse(n.lease.ends_at) : Number.MAX_SAFE_INTEGER;
    case 'power': return n.power?.state ?? '';
    case 'nics': return n.nics.length;
    case 'networks': return networksOf(n).join(',');
  }
}

const collator = new Intl.Collator(undefined, { numeric: true });

/** The nodes table. */
export function NodesPage({ me }: { me: Me }) {
  const { data, error, reload } = useLoad(() => allNodeDetails(), []);
  usePolling(reload, 30_000);
  const [filter, setFilter] = useState('');
  const [freeOnly, setFreeOnly] = useState(false);
  const [sort, setSort] = useState<{ key: Key; dir: 1 | -1 }>({ key: 'name', dir: 1 });
  const [selected, setSelected] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const body = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => {
    const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = (data ?? []).filter((n) => (!freeOnly || n.project === null) &&
      words.every((w) => n.name.toLowerCase().includes(w) || (n.project ?? 'free').toLowerCase().includes(w) ||
        (n.power?.state ?? '').includes(w) || networksOf(n).some((x) => x.toLowerCase().includes(w))));
    const { key, dir } = sort;
    return shown.sort((a, b) => {
      const x = sortValue(a, key), y = sortValue(b, key);
      return dir * (typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y)));
    });
  }, [data, filter, freeOnly, sort]);

  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [data !== null]);
  useEffect(() => { setSelected((s) => Math.min(s, Math.max(0, rows.length - 1))); }, [rows.length]);

  const open = (n: NodeDetail | undefined) => { if (n) location.hash = `#/node/${encodeURIComponent(n.name)}`; };
  const moveTo = (i: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, i));
    setSelected(next);
    const el = body.current;
    if (!el) return;
    if (next * ROW < el.scrollTop) el.scrollTop = next * ROW;
    else if ((next + 1) * ROW > el.scrollTop + el.clientHeight) el.scrollTop = (next + 1) * ROW - el.clientHeight;
  };
  const onKey = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / ROW) - 1);
    const moves: Record<string, number> = { ArrowDown: selected + 1, ArrowUp: selected - 1, PageDown: selected + page, PageUp: selected - page, Home: 0, End: rows.length - 1 };
    const to = moves[e.key];
    if (to !== undefined) { e.preventDefault(); moveTo(to); } else if (e.key === 'Enter') { e.preventDefault(); open(rows[selected]); }
  };
  const toTop = () => { setSelected(0); if (body.current) body.current.scrollTop = 0; };
  const sortBy = (key: Key) => { setSort((s) => ({ key, dir: s.key === key ? (s.dir === 1 ? -1 : 1) : 1 })); toTop(); };

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  const visible = rows.slice(first, last);

  return <>
    <Header title="Nodes"><span class="muted small">{data ? `${rows.length} of ${data.length}` : ''}</span></Header>
    <div class="toolbar">
      <input type="search" placeholder="Filter by name, project, network, power…" value={filter} aria-label="Filter nodes"
        onInput={(e) => { setFilter(e.currentTarget.value); toTop(); }} />
      <label class="check"><input type="checkbox" checked={freeOnly} onChange={(e) => { setFreeOnly(e.currentTarget.checked); toTop(); }} /> free only</label>
      {!me.admin && <span class="muted small">You see the free nodes and those of your projects.</span>}
    </div>
    <ErrorNote error={error} />
    {data === null ? (!error && <p class="muted">Loading…</p>) :
      <div class="vtable" role="grid" aria-rowcount={rows.length + 1} aria-label="Nodes">
        <div class="vrow vhead" role="row">{COLUMNS.map(([key, label]) =>
          <div role="columnheader" class={`c-${key}`} aria-sort={sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
            <button class="sort" onClick={() => sortBy(key)}>{label}{sort.key === key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}</button>
          </div>)}</div>
        <div class="vbody" ref={body} tabIndex={0} data-testid="nodes-body" onKeyDown={onKey}
          aria-activedescendant={rows[selected] ? `row-${selected}` : undefined}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
          <div style={{ height: `${rows.length * ROW}px`, position: 'relative' }}>
            {visible.map((n, k) => {
              const i = first + k;
              return <div id={`row-${i}`} key={n.name} role="row" aria-rowindex={i + 2} aria-selected={i === selected}
                class={i === selected ? 'vrow sel' : 'vrow'} style={{ top: `${i * ROW}px` }}
                onClick={() => setSelected(i)} onDblClick={() => open(n)}>
                <div class="c-name" role="gridcell"><a href={`#/node/${encodeURIComponent(n.name)}`} tabIndex={-1}>{n.name}</a></div>
                <div class="c-project" role="gridcell">{n.project ?? <Badge text="free" tone="ok" />}</div>
                <div class="c-lease" role="gridcell">{n.lease ? relTime(n.lease.ends_at) : ''}</div>
                <div class="c-power" role="gridcell">{n.power ? <Badge text={n.power.state} tone={n.power.state === 'on' ? 'ok' : 'muted'} /> : <span class="muted">?</span>}</div>
                <div class="c-nics" role="gridcell">{n.nics.length}</div>
                <div class="c-networks" role="gridcell">{networksOf(n).join(', ')}</div>
              </div>;
            })}
          </div>
        </div>
      </div>}
    <p class="muted small">↑ ↓ PgUp PgDn Home End move, Enter opens the node; click a header to sort.</p>
  </>;
}
