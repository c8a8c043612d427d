// Schema versions: a database made by an older haas is migrated forward on
// open; a newer or foreign database is refused and left untouched; a missing one is never made.
import { openInventory } from '../src/db/inventory.js';
import { obmAudit } from '../src/db/store/obm-audit.js';
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runHaas, repoRoot, startDaemon } from './lib/daemon.js';
import { SCHEMA_VERSION } from '../src/db/migrate.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-migrate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try { return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]; } finally { db.close(); }
}

/** Everything SQLite keeps about a schema, in a form two databases can be compared by. */
interface SchemaShape {
  tables: Record<string, {
    /** The CREATE TABLE text without comments and with whitespace made uniform: carries the CHECK constraints, which no PRAGMA shows. */
    sql: string;
    withoutRowid: boolean;
    columns: unknown[];
    indexes: Record<string, { unique: boolean; origin: string; partial: boolean; sql: string | null; columns: unknown[] }>;
    foreignKeys: unknown[];
  }>;
  triggers: Record<string, { table: string; sql: string }>;
  views: Record<string, string>;
}

/** SQL text with comments dropped and whitespace made uniform (ALTER TABLE ADD COLUMN keeps the author's layout). */
function normalizeSql(sql: string): string {
  return sql.replace(/--[^\n]*/g, ' ').replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1').trim();
}

/** The full schema of `db`: per table its columns (type, NOT NULL, default, primary key position), indexes, foreign keys; triggers and views. */
function schemaOf(db: Database.Database): SchemaShape {
  const objects = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ type: string; name: string; tbl_name: string; sql: string | null }>;
  const shape: SchemaShape = { tables: {}, triggers: {}, views: {} };
  for (const o of objects) {
    if (o.type === 'trigger') shape.triggers[o.name] = { table: o.tbl_name, sql: normalizeSql(o.sql ?? '') };
    if (o.type === 'view') shape.views[o.name] = normalizeSql(o.sql ?? '');
    if (o.type !== 'table') continue;
    const list = db.prepare('SELECT * FROM pragma_table_list WHERE name = ?').get(o.name) as { wr: number };
    const indexes: SchemaShape['tables'][string]['indexes'] = {};
    for (const i of db.prepare('SELECT * FROM pragma_index_list(?)').all(o.name) as Array<{ name: string; unique: number; origin: string; partial: number }>) {
      const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").pluck().get(i.name) as string | null | undefined;
      indexes[i.name] = {
        unique: i.unique === 1, origin: i.origin, partial: i.partial === 1, sql: sql ? normalizeSql(sql) : null,
        // Key columns only, in key order, with their sort order and collation.
        columns: db.prepare('SELECT seqno, cid, name, "desc", coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno').all(i.name),
      };
    }
    shape.tables[o.name] = {
      sql: normalizeSql(o.sql ?? ''),
      withoutRowid: list.wr === 1,
      columns: db.prepare('SELECT cid, name, type, "notnull", dflt_value, pk FROM pragma_table_xinfo(?) ORDER BY cid').all(o.name),
      indexes,
      foreignKeys: db.prepare('SELECT id, seq, "table", "from", "to", on_update, on_delete, "match" FROM pragma_foreign_key_list(?) ORDER BY id, seq').all(o.name),
    };
  }
  return shape;
}

/** The schema of a database made from schema.sql. */
function freshSchema(): SchemaShape {
  const fresh = new Database(':memory:');
  try {
    fresh.exec(readFileSync(join(repoRoot, 'schema.sql'), 'utf8'));
    return schemaOf(fresh);
  } finally { fresh.close(); }
}

/** The schema of the database file `file`. */
function schemaOfFile(file: string): SchemaShape {
  const db = new Database(file, { readonly: true });
  try { return schemaOf(db); } finally { db.close(); }
}

function version(file: string): number {
  const db = new Database(file, { readonly: true });
  try { return (db.prepare('SELECT version FROM schema_version').get() as { version: number }).version; } finally { db.close(); }
}

describe('schema migrations', () => {
  it('never creates a database: a missing file is an error that names it', () => {
    const file = join(dir, 'typo', 'new.db');
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`no database at ${file.replace(/[.]/g, '\\.')}`));
    assert.equal(existsSync(join(dir, 'typo')), false, 'not even its directory');
  });

  it('a new database (create-user --init) is at the current version with the whole schema.sql', () => {
    const file = join(dir, 'new.db');
    const r = runHaas(['admin', 'create-user', 'root', '--admin', '--init', '--db', file], { input: 'pw\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(version(file), SCHEMA_VERSION);
    assert.deepEqual(schemaOfFile(file), freshSchema());
  });

  it('migrates a version-1 database (the first release) forward, keeping its data', () => {
    const file = join(dir, 'v1.db');
    const db = new Database(file);
    db.exec(readFileSync(join(repoRoot, 'test', 'fixtures', 'schema-v1.sql'), 'utf8'));
    db.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    db.prepare("INSERT INTO project (label) VALUES ('kept')").run();
    db.close();
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(version(file), SCHEMA_VERSION);
    const after = new Database(file, { readonly: true });
    assert.deepEqual(after.prepare('SELECT label FROM project').pluck().all(), ['kept']);
    after.close();
    // Columns (type, NOT NULL, default, primary key), CHECKs, indexes, foreign keys and triggers, as a new database has them.
    assert.deepEqual(schemaOfFile(file), freshSchema());
  });

  it('migrates a version-3 database to 4: switches keep their settings and get no SSH host key (the next login records it)', async () => {
    const sub = mkdtempSync(join(dir, 'v3-'));
    const file = join(sub, 'haas.db');
    const db = new Database(file);
    db.exec(readFileSync(join(repoRoot, 'test', 'fixtures', 'schema-v3.sql'), 'utf8'));
    db.prepare('INSERT INTO schema_version (version) VALUES (3)').run();
    const config = JSON.stringify({ hostname: '192.0.2.7', username: 'admin', password: 'pw', dummy_vlan: 2222, port: 22 });
    db.prepare("INSERT INTO switch (label, type, config) VALUES ('sw0', 'nexus', ?)").run(config);
    db.close();
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(version(file), SCHEMA_VERSION);
    const after = new Database(file, { readonly: true });
    assert.deepEqual(after.prepare('SELECT label, type, config, host_key, host_key_origin, host_key_recorded_at, host_key_refused FROM switch').all(),
      [{ label: 'sw0', type: 'nexus', config, host_key: null, host_key_origin: null, host_key_recorded_at: null, host_key_refused: null }]);
    after.close();
    assert.deepEqual(schemaOfFile(file), freshSchema());
    const daemon = await startDaemon({ dir: sub });
    try {
      const k = await daemon.request('GET', '/v0/switch/sw0/host_key');
      assert.equal(k.status, 200, k.text);
      assert.deepEqual(k.json, { switch: 'sw0', fingerprint: null, origin: null, recorded_at: null, refused: null });
    } finally { await daemon.stop(); }
  });

  it('migrates a version-4 database to 5: its inventory is kept, its OBM audit becomes the start of the audit trail', () => {
    const file = join(dir, 'v4.db');
    const db = new Database(file);
    db.exec(readFileSync(join(repoRoot, 'test', 'fixtures', 'schema-v4.sql'), 'utf8'));
    db.prepare('INSERT INTO schema_version (version) VALUES (4)').run();
    db.prepare("INSERT INTO project (label) VALUES ('kept')").run();
    db.prepare("INSERT INTO node (label, project_id, obm_type, obm_config) VALUES ('n1', 1, 'mock', '{}')").run();
    const obm = [
      { id: 1, time: '2026-01-01T00:00:00.000Z', user: 'alice', node: 'n1', operation: 'power_on', argument: null, result: 'ok', message: null },
      { id: 2, time: '2026-01-01T00:00:01.000Z', user: 'null-auth', node: 'n1', operation: 'boot_device', argument: 'pxe', result: 'error', message: 'BMC says no' },
      { id: 3, time: '2026-01-01T00:00:02.000Z', user: 'bob', node: 'gone', operation: 'power_cycle', argument: 'force', result: 'redirect', message: null },
    ];
    const add = db.prepare('INSERT INTO obm_audit (id, time, user, node, operation, argument, result, message) VALUES (@id, @time, @user, @node, @operation, @argument, @result, @message)');
    for (const e of obm) add.run(e);
    db.close();
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(version(file), SCHEMA_VERSION);
    const after = new Database(file, { readonly: true });
    assert.deepEqual(after.prepare('SELECT label, project_id FROM node').all(), [{ label: 'n1', project_id: 1 }]);
    assert.deepEqual(after.prepare('SELECT id, actor, outcome, status, error_type, node FROM audit ORDER BY id').all(), [
      { id: 1, actor: 'alice', outcome: 'ok', status: null, error_type: null, node: 'n1' },
      { id: 2, actor: null, outcome: 'error', status: 502, error_type: 'OBMError', node: 'n1' },
      { id: 3, actor: 'bob', outcome: 'ok', status: null, error_type: null, node: 'gone' },
    ]);
    // A node reserved before leases existed keeps its reservation: a lease with no end, started at the migration.
    const lease = after.prepare('SELECT node_id, project_id, ends_at, started_at FROM lease').all() as Array<Record<string, unknown>>;
    assert.deepEqual(lease.map(({ started_at: _, ...l }) => l), [{ node_id: 1, project_id: 1, ends_at: null }]);
    assert.match(String(lease[0]?.started_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    after.close();
    // GET /obm_audit's rows, exactly as they were.
    const inv = openInventory(file, { create: false });
    try { assert.deepEqual(obmAudit(inv), obm); } finally { inv.close(); }
    assert.deepEqual(schemaOfFile(file), freshSchema());
  });

  it('refuses a database from a newer haas', () => {
    const file = join(dir, 'future.db');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    db.close();
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /newer than this haas/);
    assert.equal(version(file), SCHEMA_VERSION + 1);
  });

  it('refuses while a daemon (any holder of the database lock) has the database', async () => {
    const file = join(dir, 'held.db');
    assert.equal(runHaas(['admin', 'create-user', 'root', '--init', '--db', file], { input: 'pw\n' }).code, 0);
    // One process (sh, then sleep) holds the lock on its own descriptor, as `haas serve` does.
    const holder = spawn('sh', ['-c', 'exec 9>>"$0" && flock --exclusive 9 && echo held && exec sleep 60', `${file}.lock`],
      { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((res) => holder.stdout!.once('data', res));
      const r = runHaas(['admin', 'migrate', '--db', file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /held\.db is in use by another haas daemon.*stop it before you migrate/);
    } finally { holder.kill('SIGKILL'); }
  });

  it('refuses a SQLite file that is not a haas database', () => {
    const file = join(dir, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE something (x)');
    db.close();
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not a haas database/);
    assert.deepEqual(tables(file), ['something']);
  });
});
