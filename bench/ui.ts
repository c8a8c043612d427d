// The dashboard at 10,000 nodes (issue 17), in Debian's headless Chromium: the overview and the
// nodes table, time to first render (first contentful paint) and to interactive (the figures or
// the first rows shown, from navigation start), the End key and a sort on the whole table, the
// bytes of the first load (compressed, as sent), and the API calls one overview refresh makes.
// Part of `npm run bench` (extras: "ui"), and runnable alone: node --import tsx bench/ui.ts [HAAS_BIN]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { freePort } from '../test/lib/daemon.js';
import { browserMissing, launchBrowser } from '../test/lib/browser.js';
import { fillInventory } from './listing.js';

const NODES = Number(process.env.BENCH_UI_NODES ?? 10_000);
const ROUNDS = 3;

/** What the bench measured (best of ROUNDS for the times). */
export interface UiBench {
  nodes: number;
  firstLoadBytes: number;
  overviewFirstRenderMs: number;
  overviewInteractiveMs: number;
  nodesFirstRenderMs: number;
  nodesInteractiveMs: number;
  endKeyMs: number;
  sortMs: number;
  overviewApiCallsPerRefresh: number;
}

function compressedSize(port: number, path: string): Promise<{ bytes: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { 'accept-encoding': 'br, gzip' } }, (r) => {
      let bytes = 0;
      r.on('data', (c: Buffer) => { bytes += c.length; });
      r.on('end', () => res({ bytes, body: '' }));
    });
    req.on('error', rej);
    req.end();
  });
}

/** Milliseconds from navigation start to now, and to the first contentful paint, in the page. */
async function pageTimes(page: Page): Promise<{ now: number; fcp: number }> {
  return page.evaluate(`({ now: performance.now(), fcp: (performance.getEntriesByName('first-contentful-paint')[0] || { startTime: NaN }).startTime })`);
}

/** Run the bench against the haas command `cmd args...`. */
export async function benchUi(cmd: string, args: string[] = []): Promise<UiBench | { skipped: string }> {
  const missing = browserMissing();
  if (missing) return { skipped: missing };
  const dir = mkdtempSync(join(tmpdir(), 'haas-bench-ui-'));
  const db = join(dir, 'haas.db');
  const config = join(dir, 'haas.conf');
  writeFileSync(config, '[drift]\ninterval = 0\n', { mode: 0o600 });
  let child: ChildProcess | undefined;
  let stderr = '';
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn(cmd, [...args, 'serve', '--db', db, '--socket', join(dir, 'haas.sock'), '--listen', `127.0.0.1:${port}`, '--auth', 'null', '--config', config],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-5000); });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haas exited ${child.exitCode}: ${stderr}`);
      try { if ((await fetch(`${base}/v0/health`)).status === 200) return; } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`haas did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const browser = await launchBrowser();
  try {
    await start();
    await stop();
    fillInventory(db, NODES);
    await start();

    const html = await (await fetch(`${base}/ui/`)).text();
    let firstLoadBytes = (await compressedSize(port, '/ui/')).bytes;
    for (const m of html.matchAll(/\/ui\/assets\/[^"]+/g)) firstLoadBytes += (await compressedSize(port, m[0])).bytes;

    const best = { ofr: Infinity, oi: Infinity, nfr: Infinity, ni: Infinity, end: Infinity, sort: Infinity };
    let calls = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const page = await browser.newPage();
      await page.goto(`${base}/ui/#/`);
      await page.getByTestId('free-count').waitFor();
      const o = await pageTimes(page);
      best.ofr = Math.min(best.ofr, o.fcp);
      best.oi = Math.min(best.oi, o.now);

      // One refresh of the overview: the API calls it makes.
      const seen: string[] = [];
      page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/v0/')) seen.push(r.url()); });
      await page.evaluate(`window.dispatchEvent(new Event('haas:change'))`);
      await page.waitForLoadState('networkidle');
      calls = seen.length;
      await page.close();

      const table = await browser.newPage();
      await table.goto(`${base}/ui/#/nodes`);
      await table.locator('#row-0').waitFor();
      const n = await pageTimes(table);
      best.nfr = Math.min(best.nfr, n.fcp);
      best.ni = Math.min(best.ni, n.now);
      const body = table.getByTestId('nodes-body');
      await body.focus();
      let t0 = performance.now();
      await table.keyboard.press('End');
      await table.locator(`#row-${NODES - 1}[aria-selected="true"]`).waitFor();
      best.end = Math.min(best.end, performance.now() - t0);
      t0 = performance.now();
      await table.getByRole('button', { name: 'Node' }).click();
      await table.locator('#row-0 a', { hasText: `n${String(NODES - 1).padStart(5, '0')}` }).waitFor();
      best.sort = Math.min(best.sort, performance.now() - t0);
      await table.close();
    }
    const r = (v: number) => Math.round(v);
    return {
      nodes: NODES, firstLoadBytes, overviewFirstRenderMs: r(best.ofr), overviewInteractiveMs: r(best.oi),
      nodesFirstRenderMs: r(best.nfr), nodesInteractiveMs: r(best.ni), endKeyMs: r(best.end), sortMs: r(best.sort),
      overviewApiCallsPerRefresh: calls,
    };
  } finally {
    await browser.close();
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bin = process.argv[2];
  const target = bin ? { cmd: resolve(bin), args: [] } : { cmd: process.execPath, args: ['--import', 'tsx', join(import.meta.dirname, '..', 'src', 'main.ts')] };
  benchUi(target.cmd, target.args).then((r) => { process.stdout.write(JSON.stringify(r) + '\n'); }, (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
