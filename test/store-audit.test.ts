// The store's contract for the audit trail (src/db/store/audit.ts), on a fresh database each;
// and the retention job's batching (src/jobs/audit-retention.ts).
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import {
  addAuditEntry, addFailedLogins, auditEntries, projectsOfTargets, pruneAudit, type NewAuditEntry,
} from '../src/db/store/audit.js';
import { addProject } from '../src/db/store/projects.js';
import { addNode, setNodeProject } from '../src/db/store/nodes.js';
import { AuditRetention, PRUNE_BATCH } from '../src/jobs/audit-retention.js';
import { createLogger } from '../src/log.js';

const entry = (over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  time: '2026-01-01T00:00:00.000Z', actor: 'alice', source: 'socket', operation: 'project_connect_node', outcome: 'ok',
  status: null, errorType: null, node: 'n1', network: null, detail: null, projects: ['pa'], ...over,
});

describe('store: audit trail', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('lists entries newest first, with their projects, filtered and paged', () => {
    const a = addAuditEntry(inv, entry());
    const b = addAuditEntry(inv, entry({ time: '2026-01-02T00:00:00.000Z', actor: 'bob', projects: ['pb', 'pa'], outcome: 'refused', status: 409 }));
    const c = addAuditEntry(inv, entry({ time: '2026-01-03T00:00:00.000Z', node: null, network: 'net', projects: [] }));
    assert.deepEqual(auditEntries(inv, { limit: 10 }).map((e) => [e.id, JSON.parse(e.projects)]), [[c, []], [b, ['pa', 'pb']], [a, ['pa']]]);
    assert.deepEqual(auditEntries(inv, { limit: 10, actor: 'bob' }).map((e) => e.id), [b]);
    assert.deepEqual(auditEntries(inv, { limit: 10, project: 'pa' }).map((e) => e.id), [b, a]);
    assert.deepEqual(auditEntries(inv, { limit: 10, visibleTo: ['pb'] }).map((e) => e.id), [b]);
    assert.deepEqual(auditEntries(inv, { limit: 10, visibleTo: [] }).map((e) => e.id), []);
    assert.deepEqual(auditEntries(inv, { limit: 10, since: '2026-01-02T00:00:00.000Z' }).map((e) => e.id), [c, b]);
    assert.deepEqual(auditEntries(inv, { limit: 10, until: '2026-01-02T00:00:00.000Z' }).map((e) => e.id), [a]);
    assert.deepEqual(auditEntries(inv, { limit: 10, outcome: 'refused', node: 'n1' }).map((e) => e.id), [b]);
    assert.deepEqual(auditEntries(inv, { limit: 10, network: 'net' }).map((e) => e.id), [c]);
    assert.deepEqual(auditEntries(inv, { limit: 1 }).map((e) => e.id), [c]);
    assert.deepEqual(auditEntries(inv, { limit: 1, before: c }).map((e) => e.id), [b]);
  });

  it('folds failed logins per user, source, status and window into one entry', () => {
    const f = { window: '2026-01-01T10:00:00.000Z', user: 'zed', source: '10.0.0.1', status: 401, errorType: 'AuthorizationError' };
    addFailedLogins(inv, { ...f, count: 2, lastTime: '2026-01-01T10:05:00.000Z' });
    addFailedLogins(inv, { ...f, count: 3, lastTime: '2026-01-01T10:09:00.000Z' });
    addFailedLogins(inv, { ...f, source: '10.0.0.2', count: 1, lastTime: '2026-01-01T10:09:00.000Z' });
    addFailedLogins(inv, { ...f, window: '2026-01-01T11:00:00.000Z', count: 1, lastTime: '2026-01-01T11:00:01.000Z' });
    const rows = auditEntries(inv, { limit: 10, operation: 'login' });
    assert.deepEqual(rows.map((r) => [r.actor, r.source, r.time, r.last_time, r.count, r.outcome, r.status]).reverse(), [
      ['zed', '10.0.0.1', f.window, '2026-01-01T10:09:00.000Z', 5, 'refused', 401],
      ['zed', '10.0.0.2', f.window, '2026-01-01T10:09:00.000Z', 1, 'refused', 401],
      ['zed', '10.0.0.1', '2026-01-01T11:00:00.000Z', '2026-01-01T11:00:01.000Z', 1, 'refused', 401],
    ]);
  });

  it('finds the projects of an entry\'s targets as they are now', () => {
    const pa = addProject(inv, 'pa');
    addProject(inv, 'pb');
    const n = addNode(inv, { label: 'n1', obmType: 'mock', obmConfig: '{}', obmdUri: null, obmdAdminToken: null });
    assert.deepEqual(projectsOfTargets(inv, { node: 'n1', projects: ['pb', 'nope'] }), ['pb']);
    setNodeProject(inv, n, pa);
    assert.deepEqual(projectsOfTargets(inv, { node: 'n1' }), ['pa']);
    assert.deepEqual(projectsOfTargets(inv, { node: 'unknown', network: 'unknown', headnode: 'unknown' }), []);
  });

  it('prunes entries older than a cutoff in bounded batches, with their projects', () => {
    for (let i = 0; i < 5; i++) addAuditEntry(inv, entry({ time: `2026-01-0${i + 1}T00:00:00.000Z` }));
    assert.equal(pruneAudit(inv, '2026-01-04T00:00:00.000Z', 2), 2);
    assert.equal(pruneAudit(inv, '2026-01-04T00:00:00.000Z', 2), 1);
    assert.equal(pruneAudit(inv, '2026-01-04T00:00:00.000Z', 2), 0);
    assert.deepEqual(auditEntries(inv, { limit: 10 }).map((e) => e.time), ['2026-01-05T00:00:00.000Z', '2026-01-04T00:00:00.000Z']);
    assert.equal(inv.column<number>('SELECT count(*) FROM audit_project')[0], 2);
  });
});

describe('the audit retention job', () => {
  it('prunes batch after batch until a batch is short, and stops', async () => {
    let left = PRUNE_BATCH * 2 + 7;
    const calls: number[] = [];
    const job = new AuditRetention((batch) => { const n = Math.min(batch, left); left -= n; calls.push(n); return n; }, createLogger('error'));
    assert.equal(await job.pruneNow(), PRUNE_BATCH * 2 + 7);
    assert.deepEqual(calls, [PRUNE_BATCH, PRUNE_BATCH, 7]);
    assert.equal(await job.pruneNow(), 0);
    await job.stop();
    assert.equal(left, 0);
  });

  it('does nothing when retention is off', async () => {
    const job = new AuditRetention(null, createLogger('error'));
    job.start();
    await job.stop();
  });
});
