// After a restore (`haas admin restore` leaves `<db>-restored`), the next daemon verifies every
// switch once it serves, logs each switch's drift (or that it matches, or could not be read), and
// removes the marker. The mock switch keeps its ports in the daemon's memory, so after a restart
// it carries nothing: exactly the drift a restored inventory shows against a switch that moved on.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, waitAction, type Daemon } from './lib/daemon.js';
import { ok } from './lib/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-restore-'));
const running: Awaited<ReturnType<typeof startDaemon>>[] = [];
after(async () => {
  for (const d of running) await d.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, d: Daemon, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}; daemon log:\n${d.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the first start after a restore verifies every switch', () => {
  test('drift, a match and an unreadable switch are each logged; the marker is removed', async () => {
    const first = await startDaemon({ dir });
    running.push(first);
    const call = (method: string, path: string, body?: unknown) => first.request(method, `/v0${path}`, { body });
    ok(await call('PUT', '/project/lab'));
    ok(await call('PUT', '/network/lan', { owner: 'admin', access: '', net_id: '' }));
    for (const [sw, hostname] of [['drifted', 'sw1.lab'], ['quiet', 'sw2.lab'], ['gone', 'sw3.invalid']] as const) {
      ok(await call('PUT', `/switch/${sw}`, { type: 'mock', hostname, username: 'u', password: 'p' }));
      ok(await call('PUT', `/switch/${sw}/port/${encodeURIComponent('gi1/0/1')}`));
    }
    ok(await call('PUT', '/node/n1', { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }));
    ok(await call('PUT', '/node/n1/nic/eth0', { macaddr: 'aa:bb:cc:00:00:01' }));
    ok(await call('POST', `/switch/drifted/port/${encodeURIComponent('gi1/0/1')}/connect_nic`, { node: 'n1', nic: 'eth0' }));
    ok(await call('POST', '/project/lab/connect_node', { node: 'n1' }));
    const id = ok(await call('POST', '/node/n1/nic/eth0/connect_network', { network: 'lan' }), 202).json.status_id;
    assert.equal((await waitAction(first, id)).status, 'DONE');
    const vlan = ok(await call('GET', '/networks')).json.lan.network_id;
    assert.equal(await first.stop(), 0);

    const marker = `${first.db}-restored`;
    writeFileSync(marker, 'restored 2026-12-06T03:00:00Z from /backups/haas-1.db\n');
    const second = await startDaemon({ dir });
    running.push(second);
    await until('the marker was not removed', second, () => !existsSync(marker));
    const log = second.stderr;
    assert.match(log, /restored.*from \/backups\/haas-1\.db.*verifying 3 switch/);
    assert.match(log, new RegExp(`switch "drifted" differs from the inventory on 1 of 1 port.*gi1/0/1 \\(inventory: native ${vlan}; switch: nothing\\)`));
    assert.match(log, /switch "quiet" matches the inventory \(1 port/);
    assert.match(log, /switch "gone" could not be read: .*unreachable/);
    assert.ok(log.indexOf('haas ready') < log.indexOf('verifying 3 switch'), 'verification starts once the daemon serves');

    // The restore is in the restored database's audit trail, once.
    const restores = (d: Daemon) => d.request('GET', '/v0/audit?operation=restore').then((r) => r.json.entries);
    assert.deepEqual((await restores(second)).map((e: { actor: string | null; source: string; detail: unknown }) => [e.actor, e.source, e.detail]),
      [[null, 'haas', { restored: 'restored 2026-12-06T03:00:00Z from /backups/haas-1.db' }]]);

    // The check runs once: the next start says nothing about a restore.
    assert.equal(await second.stop(), 0);
    const third = await startDaemon({ dir });
    running.push(third);
    assert.doesNotMatch(third.stderr, /restore check|was restored/);
    assert.equal((await restores(third)).length, 1);
  });
});
