// The store's contract for the dashboard's sign-in sessions (src/db/store/sessions.ts), on a fresh database each.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import { addUser, deleteUser, setUserAdmin } from '../src/db/store/users.js';
import {
  addSession, deleteEndedSessions, deleteSession, deleteSessionsOfUser, sessionByHash, touchSession, type SessionRow,
} from '../src/db/store/sessions.js';

function row(idHash: string, userId: number, over: Partial<SessionRow> = {}): SessionRow {
  return {
    id_hash: idHash, user_id: userId, password_tag: 'tag', created_at: '2026-01-01T00:00:00.000Z',
    last_seen_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-08T00:00:00.000Z', ...over,
  };
}

describe('store: sessions', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('finds a session by its hash with its user as the user is now', () => {
    const alice = addUser(inv, 'alice', 'scrypt$x', false);
    addSession(inv, row('h1', alice));
    assert.equal(sessionByHash(inv, 'nope'), undefined);
    assert.deepEqual(sessionByHash(inv, 'h1'), { ...row('h1', alice), user: 'alice', is_admin: false, password_hash: 'scrypt$x' });
    setUserAdmin(inv, alice, true);
    assert.equal(sessionByHash(inv, 'h1')?.is_admin, true);
  });

  it('notes the last use', () => {
    const alice = addUser(inv, 'alice', 'scrypt$x', false);
    addSession(inv, row('h1', alice));
    touchSession(inv, 'h1', '2026-01-02T00:00:00.000Z');
    assert.equal(sessionByHash(inv, 'h1')?.last_seen_at, '2026-01-02T00:00:00.000Z');
  });

  it('deletes one session, a user\'s sessions, and those of a deleted user', () => {
    const alice = addUser(inv, 'alice', 'scrypt$x', false);
    const bob = addUser(inv, 'bob', 'scrypt$y', false);
    addSession(inv, row('a1', alice));
    addSession(inv, row('a2', alice));
    addSession(inv, row('b1', bob));
    addSession(inv, row('b2', bob));
    assert.equal(deleteSession(inv, 'a1'), true);
    assert.equal(deleteSession(inv, 'a1'), false);
    assert.equal(deleteSessionsOfUser(inv, alice), 1);
    assert.equal(sessionByHash(inv, 'a2'), undefined);
    assert.ok(sessionByHash(inv, 'b1'));
    deleteUser(inv, bob);
    assert.equal(sessionByHash(inv, 'b1'), undefined);
    assert.equal(deleteSessionsOfUser(inv, bob), 0);
  });

  it('deletes the sessions past their end or idle too long, and keeps the others', () => {
    const alice = addUser(inv, 'alice', 'scrypt$x', false);
    addSession(inv, row('ended', alice, { expires_at: '2026-01-05T00:00:00.000Z', last_seen_at: '2026-01-04T23:00:00.000Z' }));
    addSession(inv, row('idle', alice, { last_seen_at: '2026-01-04T00:00:00.000Z' }));
    addSession(inv, row('live', alice, { last_seen_at: '2026-01-04T22:00:00.000Z' }));
    assert.equal(deleteEndedSessions(inv, '2026-01-05T00:00:00.000Z', '2026-01-04T12:00:00.000Z'), 2);
    assert.ok(sessionByHash(inv, 'live'));
    assert.equal(sessionByHash(inv, 'idle'), undefined);
  });
});
