// Console: a node's or headnode's serial console in xterm.js over the daemon's console WebSocket
// (the session cookie authenticates it). Read-only unless the user asks to be the writer.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'preact/hooks';
import { allNodeDetails } from '../api.js';
import { Header, useLoad } from '../kit.js';

const MODES = ['read-only', 'write', 'force'] as const;
type Mode = typeof MODES[number];

function Picker() {
  const { data } = useLoad(() => allNodeDetails(), []);
  const held = (data ?? []).filter((n) => n.project !== null);
  return <>
    <Header title="Console" />
    <p class="muted">Pick a reserved node (headnodes are on their project's page).</p>
    <div class="tiles">{held.slice(0, 200).map((n) => <a class="tile" href={`#/console/node/${encodeURIComponent(n.name)}`}>{n.name}<span class="muted small"> {n.project}</span></a>)}</div>
    {data && held.length === 0 && <p class="muted">No reserved node you may see.</p>}
  </>;
}

/** The console page: `target` is "node/<n>" or "headnode/<h>", or empty for a picker. */
export function ConsolePage({ target }: { target: string }) {
  const [kind, ...rest] = target.split('/');
  const name = rest.join('/');
  const [mode, setMode] = useState<Mode>('read-only');
  const [state, setState] = useState('connecting');
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current || (kind !== 'node' && kind !== 'headnode') || !name) return;
    const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 13, scrollback: 5000, theme: { background: '#0f172a' } });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(box.current);
    fit.fit();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/v0/${kind}/${encodeURIComponent(name)}/console/ws?mode=${mode}`);
    ws.binaryType = 'arraybuffer';
    setState('connecting');
    ws.onopen = () => setState(mode === 'read-only' ? 'connected, read-only' : 'connected, writing');
    ws.onmessage = (e: MessageEvent<ArrayBuffer | string>) => term.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data));
    let opened = false;
    ws.addEventListener('open', () => { opened = true; });
    // A refused upgrade shows the browser no status or body: say what usually causes it.
    ws.onclose = (e) => setState(e.code === 1000 ? 'console ended' : !opened
      ? 'refused: the node must be in your project with its OBM enabled (and streams within the limit)'
      : `closed${e.reason ? `: ${e.reason}` : ` (${e.code})`}`);
    const input = term.onData((d) => { if (mode !== 'read-only' && ws.readyState === WebSocket.OPEN) ws.send(new TextEncoder().encode(d)); });
    const onResize = () => fit.fit();
    window.addEventListener('resize', onResize);
    return () => { window.removeEventListener('resize', onResize); input.dispose(); ws.close(); term.dispose(); };
  }, [kind, name, mode]);
  if ((kind !== 'node' && kind !== 'headnode') || !name) return <Picker />;
  return <>
    <Header title={<>Console of {kind} {name}</>}>
      <span class="muted small" role="status" data-testid="console-state">{state}</span>
      <select aria-label="Mode" value={mode} onChange={(e) => setMode(MODES.find((m) => m === e.currentTarget.value) ?? 'read-only')}>
        <option value="read-only">read-only</option><option value="write">writer</option><option value="force">take over writer</option>
      </select>
      <a class="button" href={`#/${kind}/${encodeURIComponent(name)}`}>Back</a>
    </Header>
    <div class="term" ref={box} data-testid="terminal" />
  </>;
}
