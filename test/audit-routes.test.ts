// Every state-changing route has a name in the audit trail: the router refuses to mount one that
// has none (src/server/audit-ops.ts), so a new route cannot be left out of the trail.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../src/server/router.js';
import { NO_BODY } from '../src/server/body.js';
import { AUDITED_ROUTES } from '../src/server/audit-ops.js';

describe('audit names of write routes', () => {
  const router = () => new Router();

  it('a write route without an audit name is refused when it is mounted; a read route needs none', () => {
    assert.throws(() => router().on('POST', '/node/:node/frobnicate', NO_BODY, () => undefined),
      /POST \/node\/:node\/frobnicate changes state but has no audit name: add it to src\/server\/audit-ops\.ts/);
    router().on('GET', '/node/:node/frobnicate', NO_BODY, () => undefined);
    router().on('POST', '/node/:node/power_on', NO_BODY, () => undefined);
  });

  it('names each operation once', () => {
    const names = Object.values(AUDITED_ROUTES).map((r) => r.operation);
    assert.equal(new Set(names).size, names.length);
  });
});
