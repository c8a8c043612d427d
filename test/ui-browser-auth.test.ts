// The dashboard in a real browser under database auth: signing in through POST /v0/session, a
// member who sees only the free nodes and their project's, refusals shown with the API's words,
// a revoked (expired) session sending the page back to sign-in, and a node's console in xterm.js.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startDaemon, type Credentials, type Daemon } from './lib/daemon.js';
import { callerAs, ok } from './lib/fixtures.js';
import { browserMissing, launchBrowser, screenshot, type Browser } from './lib/browser.js';

const skip = browserMissing();
const admin: Credentials = { username: 'root', password: 'root-pass-1' };
const alice: Credentials = { username: 'alice', password: 'alice-pass-1' };
let d: Daemon & { cleanup(): Promise<void> };
let browser: Browser;
const callAs = callerAs(() => d);
const call = (method: string, path: string, body?: unknown) => callAs(method, path, admin, body);

async function signIn(page: Page, who: Credentials): Promise<void> {
  await page.context().clearCookies(); // the profile is shared by the pages of this file
  await page.goto(`${d.url}/ui/`);
  await page.getByRole('textbox', { name: 'User' }).fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Overview' }).waitFor();
}

describe('the dashboard under database auth', { skip: skip ?? false }, () => {
  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin] });
    for (const p of ['lab-a', 'lab-b']) ok(await call('PUT', `/project/${p}`));
    ok(await call('PUT', '/auth/basic/user/alice', { password: alice.password, is_admin: false }));
    ok(await call('POST', '/auth/basic/user/alice/add_project', { project: 'lab-a' }));
    for (const [node, project] of [['a1', 'lab-a'], ['b1', 'lab-b'], ['free1', null]] as const) {
      ok(await call('PUT', `/node/${node}`, { obm: { type: 'mock', host: `${node}-bmc`, user: 'u', password: 'p' } }));
      ok(await call('PUT', `/node/${node}/nic/eth0`, { macaddr: `${node}-eth0` }));
      if (project) ok(await call('POST', `/project/${project}/connect_node`, { node }));
    }
    ok(await call('PUT', '/switch/tor1', { type: 'mock', hostname: 'tor1.lab', username: 'u', password: 'p' }));
    for (const port of ['gi1/0/1', 'gi1/0/2']) ok(await call('PUT', `/switch/tor1/port/${encodeURIComponent(port)}`));
    ok(await call('POST', `/switch/tor1/port/${encodeURIComponent('gi1/0/1')}/connect_nic`, { node: 'a1', nic: 'eth0' }));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await d?.cleanup();
  });

  test('a wrong password is refused with the API\'s message; the sign-in page keeps no secret', async () => {
    const page = await browser.newPage();
    await page.goto(`${d.url}/ui/`);
    await screenshot(page, 'sign-in');
    await page.getByRole('textbox', { name: 'User' }).fill('alice');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'AuthorizationError (401)' }).waitFor();
    assert.equal(await page.evaluate('JSON.stringify(localStorage) + JSON.stringify(sessionStorage)'), '{}{}');
    await page.close();
  });

  test('a member sees the free nodes and their project\'s, never another project\'s', async () => {
    const page = await browser.newPage();
    await signIn(page, alice);
    await page.getByText('alice').first().waitFor();
    assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0, 'no admin page offered to a member');
    await page.goto(`${d.url}/ui/#/nodes`);
    const body = page.getByTestId('nodes-body');
    await body.getByRole('link', { name: 'a1' }).waitFor();
    await body.getByRole('link', { name: 'free1' }).waitFor();
    assert.equal(await body.getByRole('link', { name: 'b1' }).count(), 0);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'haas_session');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(await page.evaluate('document.cookie.includes("haas_session")'), false);
    await page.goto(`${d.url}/ui/#/node/b1`);
    await page.getByRole('alert').filter({ hasText: /AuthorizationError \(40[13]\)/ }).waitFor();
    await page.close();
  });

  test('a node\'s console shows its output in xterm.js', async () => {
    const page = await browser.newPage();
    await signIn(page, alice);
    await page.goto(`${d.url}/ui/#/console/node/a1`);
    await page.getByText(/refused: the node must be in your project with its OBM enabled/).waitFor();
    await page.goto(`${d.url}/ui/#/node/a1`);
    await page.getByRole('button', { name: 'Enable OBM' }).click();
    await page.getByText('OBM enabled').waitFor();
    await page.getByRole('link', { name: 'Console' }).last().click();
    await page.waitForURL(/#\/console\/node\/a1$/);
    await page.getByTestId('terminal').getByText('mock console of a1').waitFor();
    await screenshot(page, 'console');
    await page.close();
  });

  test('an admin sees the Admin page with the users and their projects', async () => {
    const page = await browser.newPage();
    await signIn(page, admin);
    await page.getByRole('link', { name: 'Admin' }).click();
    const row = page.getByRole('row').filter({ hasText: 'alice' });
    await row.getByText('lab-a').waitFor();
    await page.getByRole('row').filter({ hasText: 'root' }).getByText('admin').waitFor();
    await page.getByRole('heading', { name: /tor1/ }).waitFor();
    await screenshot(page, 'admin');
    await page.close();
  });

  test('a revoked or expired session sends the page back to sign-in, with why', async () => {
    const page = await browser.newPage();
    await signIn(page, alice);
    const r = await call('DELETE', '/user/alice/sessions');
    assert.equal(r.status, 204, r.text);
    await page.goto(`${d.url}/ui/#/nodes`);
    await page.getByText('Your session has expired or was revoked: sign in again.').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.close();
  });
});

if (skip) test(skip, { skip: true }, () => {});
