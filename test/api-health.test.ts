// GET /health and /v0/health: no credentials, 200 with the versions while the
// database answers, 503 when it does not.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { repoRoot, startDaemon, type Daemon } from './lib/daemon.js';
import { expectError, expectStatus } from './lib/fixtures.js';
import { openInventory } from '../src/db/inventory.js';
import { SCHEMA_VERSION } from '../src/db/migrate.js';
import { health } from '../src/core/health.js';

const VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('GET /health (database auth)', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const admin = { username: 'health-admin', password: 'health-pw' };

  before(async () => { d = await startDaemon({ auth: 'database', admins: [admin] }); });
  after(async () => { await d?.cleanup(); });

  it('answers 200 with the haas and schema versions, without credentials, on the socket and on TCP', async () => {
    for (const path of ['/health', '/v0/health']) {
      for (const tcp of [false, true]) {
        for (const auth of [null, { username: 'nobody', password: 'wrong' }, admin]) {
          const r = await d.request('GET', path, { tcp, auth });
          expectStatus(r, 200, `${path} tcp=${tcp} auth=${auth?.username}`);
          assert.deepEqual(r.json, { status: 'ok', version: VERSION, schema_version: SCHEMA_VERSION });
        }
      }
    }
  });

  it('keeps the other routes closed and answers other methods with 405', async () => {
    expectError(await d.request('GET', '/v0/nodes/all'), 401, 'AuthorizationError');
    expectError(await d.request('GET', '/health/x'), 401, 'AuthorizationError');
    expectError(await d.request('POST', '/v0/health'), 405, 'MethodNotAllowedError');
  });

  it('answers 503 while the database does not answer, and 200 again once it does', async () => {
    // A real fault from outside the daemon: another process breaks the table health reads.
    const db = new Database(d.db);
    try {
      db.exec('ALTER TABLE schema_version RENAME TO schema_version_away');
      for (const path of ['/health', '/v0/health']) {
        const r = await d.request('GET', path);
        expectStatus(r, 503, path);
        assert.deepEqual(Object.keys(r.json).sort(), ['msg', 'status']);
        assert.equal(r.json.status, 'unavailable');
        assert.match(r.json.msg, /schema_version/);
      }
      db.exec('ALTER TABLE schema_version_away RENAME TO schema_version');
      const r = await d.request('GET', '/health');
      expectStatus(r, 200);
      assert.equal(r.json.status, 'ok');
    } finally {
      db.close();
    }
  });
});

describe('GET /health (null auth)', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  before(async () => { d = await startDaemon({ auth: 'null' }); });
  after(async () => { await d?.cleanup(); });

  it('answers 200 with the versions', async () => {
    const r = await d.request('GET', '/health');
    expectStatus(r, 200);
    assert.deepEqual(r.json, { status: 'ok', version: VERSION, schema_version: SCHEMA_VERSION });
  });
});

describe('health (core)', () => {
  it('reports a closed database as unavailable', () => {
    const inv = openInventory(':memory:');
    assert.deepEqual(health({ inv }), { status: 'ok', version: VERSION, schema_version: SCHEMA_VERSION });
    inv.close();
    const h = health({ inv });
    assert.equal(h.status, 'unavailable');
    assert.match((h as { msg: string }).msg, /database does not answer: .*not open/);
  });
});
