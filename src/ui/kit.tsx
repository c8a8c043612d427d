// Small pieces every page uses: loading data with its error, buttons that show the API's refusal,
// the networking actions this browser started, and time formatting.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, type ActionDetail } from './api.js';

/** The state of one load: the data, the error the API answered, and a way to load again. */
export interface Loaded<T> { data: T | null; error: ApiError | Error | null; reload: () => void }

/** Loads `fetcher` on mount, when `deps` change and on reload(); keeps the last data while reloading. */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    fetcher().then((d) => { if (live) { setData(d); setError(null); } }, (e: unknown) => {
      if (live) setError(e instanceof Error ? e : new Error(String(e)));
    });
    return () => { live = false; };
  }, [...deps, tick]);
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** Calls `refresh` every `ms` while the page is shown (and when the dashboard's event stream says so). */
export function usePolling(refresh: () => void, ms: number): void {
  useEffect(() => {
    const timer = setInterval(refresh, ms);
    const onEvent = () => refresh();
    window.addEventListener('haas:change', onEvent);
    return () => { clearInterval(timer); window.removeEventListener('haas:change', onEvent); };
  }, [refresh, ms]);
}

/** The API's refusal as it said it: type and message. */
export function ErrorNote({ error }: { error: Error | null }) {
  if (!error) return null;
  const type = error instanceof ApiError ? `${error.type} (${error.status}): ` : '';
  return <div class="error" role="alert">{type}{error.message}</div>;
}

/** A button that runs an API call, disables itself meanwhile and shows the refusal next to it. */
export function ActButton({ label, run, done, kind, title }: {
  label: string; run: () => Promise<unknown>; done?: () => void; kind?: 'danger' | 'primary'; title?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const click = async () => {
    setBusy(true); setError(null);
    try { await run(); done?.(); } catch (e) { setError(e instanceof Error ? e : new Error(String(e))); }
    setBusy(false);
  };
  return <span class="act">
    <button class={kind ?? ''} disabled={busy} onClick={click} title={title}>{label}</button>
    <ErrorNote error={error} />
  </span>;
}

/** A page's title row with optional actions on the right. */
export function Header({ title, children }: { title: ComponentChildren; children?: ComponentChildren }) {
  return <div class="page-head"><h1>{title}</h1><div class="head-actions">{children}</div></div>;
}

/** A labelled card. */
export function Card({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) {
  return <section class={wide ? 'card wide' : 'card'}><h2>{title}</h2>{children}</section>;
}

/** "in 3 h", "2 min ago": a time relative to now. */
export function relTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const s = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const a = Math.abs(s);
  const v = a < 90 ? `${a} s` : a < 5400 ? `${Math.round(a / 60)} min` : a < 172800 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return s >= 0 ? `in ${v}` : `${v} ago`;
}

/** A networking action this browser queued, and what the API last said of it. */
export interface TrackedAction { id: string; label: string; detail: ActionDetail | null }

const tracked: TrackedAction[] = [];
const listeners = new Set<() => void>();

/** Follow a queued networking action (connect or detach) until it is DONE or ERROR. */
export function trackAction(id: string, label: string): void {
  tracked.unshift({ id, label, detail: null });
  tracked.splice(20);
  poll();
}

async function poll(): Promise<void> {
  let pending = false;
  for (const a of tracked) {
    if (a.detail && a.detail.status !== 'PENDING') continue;
    try { a.detail = await api<ActionDetail>('GET', `/networking_action/${encodeURIComponent(a.id)}/details`); } catch { /* shown as unknown */ }
    if (!a.detail || a.detail.status === 'PENDING') pending = true;
  }
  listeners.forEach((l) => l());
  window.dispatchEvent(new Event('haas:change'));
  if (pending) setTimeout(poll, 500);
}

/** The actions this browser queued, newest first, re-rendering as they change. */
export function useTrackedActions(): TrackedAction[] {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => set((n) => n + 1);
    listeners.add(l);
    return () => { listeners.delete(l); };
  }, []);
  return tracked;
}

/** A status as a coloured badge. */
export function Badge({ text, tone }: { text: string; tone?: 'ok' | 'warn' | 'bad' | 'muted' | 'info' }) {
  return <span class={`badge ${tone ?? 'muted'}`}>{text}</span>;
}

/** The tone of an action's status. */
export function actionTone(status: string | undefined): 'ok' | 'warn' | 'bad' | 'muted' {
  return status === 'DONE' ? 'ok' : status === 'PENDING' ? 'warn' : status === 'ERROR' ? 'bad' : 'muted';
}
