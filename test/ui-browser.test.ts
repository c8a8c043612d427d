// The dashboard in a real browser (Debian's headless Chromium), under auth = null: the page says
// so, and a user reserves a node, creates a network, connects a NIC and watches the action turn
// DONE; the nodes table is virtualized and driven by the keyboard. Also how /ui is served.
// With HAAS_SCREENSHOTS=1 (npm run docs:screenshots) it saves each page to docs/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { Page } from 'playwright-core';
import { startDaemon, type Daemon } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';
import { browserMissing, launchBrowser, screenshot, type Browser } from './lib/browser.js';

const skip = browserMissing();
let d: Daemon & { cleanup(): Promise<void> };
let browser: Browser;
let page: Page;
const call = caller(() => d);
const NODES = 60;

/** GET over TCP as a browser would ask, returning status, headers and the raw (compressed) byte count. */
function fetchRaw(path: string, encoding = 'br, gzip'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number }> {
  return new Promise((res, rej) => {
    const req = httpRequest({ host: '127.0.0.1', port: d.port, path, headers: { 'accept-encoding': encoding } }, (r) => {
      let bytes = 0;
      r.on('data', (c: Buffer) => { bytes += c.length; });
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, bytes }));
    });
    req.on('error', rej);
    req.end();
  });
}

describe('the dashboard under auth = null', { skip: skip ?? false }, () => {
  before(async () => {
    d = await startDaemon({ config: '[driver.mock]\nswitch_delay_ms = 400\n' });
    ok(await call('PUT', '/project/lab-a'));
    ok(await call('PUT', '/project/lab-b'));
    ok(await call('PUT', '/switch/sw1', { type: 'mock', hostname: 'sw1.example', username: 'u', password: 'p' }));
    for (let i = 1; i <= NODES; i++) {
      const node = `node${String(i).padStart(3, '0')}`;
      ok(await call('PUT', `/node/${node}`, { obm: { type: 'mock', host: `${node}-bmc`, user: 'u', password: 'p' } }));
      ok(await call('PUT', `/node/${node}/nic/eth0`, { macaddr: `52:54:00:00:00:${i.toString(16).padStart(2, '0')}` }));
      ok(await call('PUT', `/switch/sw1/port/gi1%2F0%2F${i}`));
      ok(await call('POST', `/switch/sw1/port/gi1%2F0%2F${i}/connect_nic`, { node, nic: 'eth0' }));
      if (i % 3 === 0) ok(await call('POST', `/project/${i % 2 === 0 ? 'lab-a' : 'lab-b'}/connect_node`, { node }));
    }
    ok(await call('PUT', '/network/public-net', { owner: 'admin', access: '', net_id: '' }));
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await d?.cleanup();
  });

  test('/ui serves the page with a strict CSP, hashed assets cached for long, compressed, under 200 KB', async () => {
    const redirect = await fetchRaw('/ui');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/ui/');
    const index = await fetchRaw('/ui/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-encoding'], 'br');
    const csp = String(index.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline or foreign scripts');
    assert.match(csp, /default-src 'none'/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    const r = await page.request.get(`${d.url}/ui/`);
    const html = await r.text();
    assert.doesNotMatch(html, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    const assets = [...html.matchAll(/\/ui\/assets\/[^"]+/g)].map((m) => m[0]);
    assert.equal(assets.length, 2, html);
    let total = index.bytes;
    for (const a of assets) {
      const got = await fetchRaw(a);
      assert.equal(got.status, 200);
      assert.equal(got.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(got.headers['content-encoding'], 'br');
      total += got.bytes;
      const gzip = await fetchRaw(a, 'gzip');
      assert.equal(gzip.headers['content-encoding'], 'gzip');
    }
    assert.ok(total < 200 * 1024, `first load is ${total} bytes compressed`);
    assert.equal((await fetchRaw('/ui/assets/app-NOSUCH.js')).status, 404);
  });

  test('the page says there is no authentication, and the overview counts the nodes', async () => {
    await page.goto(`${d.url}/ui/`);
    await page.getByText('No authentication (auth = null): everyone is admin.').waitFor();
    await page.getByTestId('free-count').getByText(String(NODES - NODES / 3)).waitFor();
    await page.getByRole('link', { name: 'lab-a' }).waitFor();
    await screenshot(page, 'overview');
  });

  test('reserve a node, create a network, connect a NIC and watch the action turn DONE', async () => {
    await page.goto(`${d.url}/ui/#/node/node001`);
    await page.getByRole('combobox', { name: 'Project' }).selectOption('lab-a');
    await page.getByRole('button', { name: 'Reserve' }).click();
    await page.getByRole('link', { name: 'lab-a' }).waitFor();
    assert.equal((await call('GET', '/node/node001')).json.project, 'lab-a');

    await page.goto(`${d.url}/ui/#/networks`);
    await page.getByRole('textbox', { name: 'Network name' }).fill('web-net');
    await page.getByRole('combobox', { name: 'Owner' }).selectOption('lab-a');
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByRole('link', { name: 'web-net' }).waitFor();
    assert.deepEqual((await call('GET', '/network/web-net')).json.access, ['lab-a']);
    await screenshot(page, 'networks');

    // A refusal is shown with the API's words: the name is taken.
    await page.getByRole('textbox', { name: 'Network name' }).fill('web-net');
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByRole('alert').filter({ hasText: 'DuplicateError (409)' }).waitFor();

    await page.goto(`${d.url}/ui/#/node/node001`);
    await page.getByRole('combobox', { name: 'Network for eth0' }).selectOption('web-net');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.goto(`${d.url}/ui/#/`);
    const actions = page.getByTestId('actions');
    await actions.getByText('node001 eth0 → web-net').waitFor();
    await actions.getByText('DONE').waitFor({ timeout: 15_000 });
    await screenshot(page, 'overview-actions');
    await page.goto(`${d.url}/ui/#/node/node001`);
    await page.locator('tr[data-nic="eth0"]').getByRole('link', { name: 'web-net' }).waitFor();
    assert.deepEqual((await call('GET', '/node/node001')).json.nics[0].networks, { 'vlan/native': 'web-net' });
    await screenshot(page, 'node');
  });

  test('the nodes table: virtualized rows, sorting, filtering and the keyboard', async () => {
    await page.goto(`${d.url}/ui/#/nodes`);
    const body = page.getByTestId('nodes-body');
    await body.locator('#row-0').waitFor();
    const inDom = await body.getByRole('row').count();
    assert.ok(inDom < NODES, `only the rows in view are rendered (${inDom} of ${NODES})`);
    await screenshot(page, 'nodes');

    await body.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    assert.equal(await body.locator('[aria-selected="true"]').getAttribute('id'), 'row-1');
    await page.keyboard.press('End');
    const last = body.locator('[aria-selected="true"]');
    assert.equal(await last.getAttribute('id'), `row-${NODES - 1}`);
    assert.ok(await last.isVisible(), 'End scrolls the last row into view');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/node\/node002$/);
    await page.getByRole('heading', { name: /node002/ }).waitFor();

    await page.goto(`${d.url}/ui/#/nodes`);
    await page.getByRole('button', { name: 'Node' }).click(); // descending
    assert.equal(await body.locator('#row-0 a').textContent(), `node0${NODES}`);
    await page.getByRole('searchbox', { name: 'Filter nodes' }).fill('lab-b');
    await page.getByText(`${NODES / 6} of ${NODES}`).waitFor();
  });

  test('projects and admin pages', async () => {
    await page.goto(`${d.url}/ui/#/project/lab-a`);
    await page.getByRole('link', { name: 'web-net' }).waitFor();
    await page.getByRole('link', { name: 'node001' }).waitFor();
    await screenshot(page, 'project');
    await page.goto(`${d.url}/ui/#/admin`);
    await page.getByRole('heading', { name: /sw1/ }).waitFor();
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.getByText('every port matches').waitFor();
  });
});

if (skip) test(skip, { skip: true }, () => {});
