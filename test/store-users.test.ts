// The store's contract for users and their project memberships (src/db/store/users.ts),
// on a fresh database each.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import {
  addMember, addUser, adminCount, allUsers, deleteUser, hasUsers, isMember, projectIdsOfUser, projectsOfUser,
  removeMember, setUserAdmin, setUserPassword, userById, userByLabel,
} from '../src/db/store/users.js';
import { addProject } from '../src/db/store/projects.js';

describe('store: users', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('knows no users on an empty database', () => {
    assert.equal(hasUsers(inv), false);
    assert.deepEqual(allUsers(inv), []);
    assert.equal(adminCount(inv), 0);
    assert.equal(userByLabel(inv, 'alice'), undefined);
    assert.equal(userById(inv, 1), undefined);
  });

  it('adds users, finds them by label and id, lists them sorted by label with their admin flag', () => {
    const bob = addUser(inv, 'bob', 'hash-b', false);
    const alice = addUser(inv, 'alice', 'hash-a', true);
    assert.equal(hasUsers(inv), true);
    assert.deepEqual(userByLabel(inv, 'alice'), { id: alice, label: 'alice', password_hash: 'hash-a', is_admin: true });
    assert.deepEqual(userById(inv, bob), { id: bob, label: 'bob', password_hash: 'hash-b', is_admin: false });
    assert.deepEqual(allUsers(inv), [{ id: alice, label: 'alice', is_admin: true }, { id: bob, label: 'bob', is_admin: false }]);
    assert.throws(() => addUser(inv, 'alice', 'x', false), /UNIQUE constraint failed/);
  });

  it('counts admins as their flags change, and replaces a password hash', () => {
    const a = addUser(inv, 'a', 'h', true);
    const b = addUser(inv, 'b', 'h', false);
    assert.equal(adminCount(inv), 1);
    setUserAdmin(inv, b, true);
    assert.equal(adminCount(inv), 2);
    assert.equal(userById(inv, b)?.is_admin, true);
    setUserAdmin(inv, a, false);
    assert.equal(adminCount(inv), 1);
    setUserPassword(inv, a, 'new-hash');
    assert.equal(userByLabel(inv, 'a')?.password_hash, 'new-hash');
    assert.equal(userByLabel(inv, 'b')?.password_hash, 'h');
  });

  it('deletes a user with its memberships, and only it', () => {
    const p = addProject(inv, 'p');
    const a = addUser(inv, 'a', 'h', false);
    const b = addUser(inv, 'b', 'h', false);
    addMember(inv, a, p);
    addMember(inv, b, p);
    deleteUser(inv, a);
    assert.equal(userByLabel(inv, 'a'), undefined);
    assert.deepEqual(allUsers(inv).map((u) => u.label), ['b']);
    assert.deepEqual(projectIdsOfUser(inv, a), []);
    assert.deepEqual(projectsOfUser(inv, b), ['p']);
  });
});

describe('store: memberships', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('adds memberships, answers them by user id and by user label (projects sorted)', () => {
    const u = addUser(inv, 'alice', 'h', false);
    const other = addUser(inv, 'bob', 'h', false);
    const b = addProject(inv, 'b');
    const a = addProject(inv, 'a');
    const c = addProject(inv, 'c');
    assert.deepEqual(projectsOfUser(inv, u), []);
    assert.equal(isMember(inv, u, a), false);
    addMember(inv, u, b);
    addMember(inv, u, a);
    addMember(inv, other, c);
    assert.equal(isMember(inv, u, a), true);
    assert.equal(isMember(inv, u, c), false);
    assert.deepEqual(projectsOfUser(inv, u), ['a', 'b']);
    assert.deepEqual(projectIdsOfUser(inv, u).sort(), [a, b].sort());
  });

  it('refuses a second membership and one of a user or project that does not exist', () => {
    const u = addUser(inv, 'alice', 'h', false);
    const p = addProject(inv, 'p');
    addMember(inv, u, p);
    assert.throws(() => addMember(inv, u, p), /UNIQUE constraint failed|PRIMARY KEY/);
    assert.throws(() => addMember(inv, u + 100, p), /FOREIGN KEY constraint failed/);
    assert.throws(() => addMember(inv, u, p + 100), /FOREIGN KEY constraint failed/);
  });

  it('removes a membership and says whether there was one', () => {
    const u = addUser(inv, 'alice', 'h', false);
    const p = addProject(inv, 'p');
    const q = addProject(inv, 'q');
    addMember(inv, u, p);
    addMember(inv, u, q);
    assert.equal(removeMember(inv, u, p), true);
    assert.equal(removeMember(inv, u, p), false);
    assert.deepEqual(projectsOfUser(inv, u), ['q']);
  });
});
