// Storage failures answer 503 StorageError with their cause (SPEC 3.9), never 500; reads go on;
// writes resume by themselves when the disk has room again; the networking worker survives
// results it cannot record; shutdown does not wait for them; and a database file deleted or
// replaced under the running daemon is noticed: writes are refused instead of vanishing.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Daemon, alive, haasCommand, repoRoot, startDaemon, waitAction, type ApiResponse } from './lib/daemon.js';
import { ok } from './lib/fixtures.js';
import { storageLabUnavailable, tmpfsMount, type PrivateMount } from './lab/storage.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

function storageFailure(r: ApiResponse, cause: RegExp): void {
  assert.equal(r.status, 503, `expected 503 StorageError, got ${r.status}: ${r.text}`);
  assert.equal(r.json?.type, 'StorageError', r.text);
  assert.match(r.json.msg, cause);
}

async function until(what: string, d: Daemon, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}; daemon log:\n${d.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const unrecorded = (d: Daemon) => d.stderr.match(/cannot record its result/g)?.length ?? 0;

describe('a full disk', { skip: storageLabUnavailable() ?? false }, () => {
  test('writes answer 503 with the cause, reads go on, writes and the worker resume when space returns; SIGTERM exits', async () => {
    const disk: PrivateMount = await tmpfsMount(haasCommand(), '4m');
    cleanups.push(() => disk.close());
    // Each change takes the mock switch a while: the disk fills up while one is being applied.
    const config = '[driver.mock]\nswitch_delay_ms = 1000\n[drivers]\nswitch_timeout = 60\n';
    let d = await disk.startDaemon({ config });
    cleanups.push(() => d.cleanup());
    const call = (method: string, path: string, body?: unknown) => d.request(method, `/v0${path}`, { body });
    ok(await call('PUT', '/project/p'));
    ok(await call('PUT', '/network/net', { owner: 'p', access: 'p', net_id: '' }));
    ok(await call('PUT', '/switch/sw', { type: 'mock', hostname: 'sw.lab', username: 'u', password: 'p' }));
    ok(await call('PUT', '/switch/sw/port/gi1%2F0%2F1'));
    ok(await call('PUT', '/node/n1', { obm: { type: 'mock', host: 'n1-bmc', user: 'u', password: 'p' } }));
    ok(await call('PUT', '/node/n1/nic/eth0', { macaddr: 'n1-eth0' }));
    ok(await call('POST', '/switch/sw/port/gi1%2F0%2F1/connect_nic', { node: 'n1', nic: 'eth0' }));
    ok(await call('POST', '/project/p/connect_node', { node: 'n1' }));

    const connect = ok(await call('POST', '/node/n1/nic/eth0/connect_network', { network: 'net' }), 202).json.status_id as string;
    disk.fill();
    storageFailure(await call('PUT', '/project/q'), /disk .* is full/);
    await until('the 503 was not logged', d, () => /PUT \/v0\/project\/q: Storage failure: the disk/.test(d.stderr));
    assert.deepEqual(ok(await call('GET', '/projects')).json, ['p']);
    // The switch applied the change, but its result cannot be recorded: the worker logs it and goes on.
    await until('the worker never failed to record a result', d, () => unrecorded(d) > 0);
    assert.equal(ok(await call('GET', `/networking_action/${connect}`)).json.status, 'PENDING');

    // Room again: writes resume without a restart, and so does the worker.
    disk.exec('rm', [join(disk.mnt, 'fill')]);
    ok(await call('PUT', '/project/q'));
    assert.equal((await waitAction(d, connect, null, 30_000)).status, 'DONE');

    // Full again with a change in flight, then SIGTERM: the daemon exits instead of retrying
    // until switch_timeout (the fixture's stop() would SIGKILL it after 15 s: exit code null).
    const detach = ok(await call('POST', '/node/n1/nic/eth0/detach_network', { network: 'net' }), 202).json.status_id as string;
    const before = unrecorded(d);
    disk.fill();
    await until('the worker never failed to record the detach', d, () => unrecorded(d) > before);
    assert.equal(await d.stop(), 0, d.stderr);

    // The next start, with room, applies the change again and records it.
    disk.exec('rm', [join(disk.mnt, 'fill')]);
    d = await disk.startDaemon({ config });
    assert.equal((await waitAction(d, detach, null, 30_000)).status, 'DONE');
    assert.deepEqual(ok(await call('GET', '/projects')).json.sort(), ['p', 'q']);
  });
});

describe('a full disk under the log file', { skip: storageLabUnavailable() ?? false }, () => {
  test('serve --detach with its log and database on it: the daemon serves on, counts the lines it could not log, and says so when it can', async () => {
    const disk: PrivateMount = await tmpfsMount(haasCommand(), '4m');
    cleanups.push(() => disk.close());
    const log = join(disk.mnt, 'haas.log');
    const started = spawnSync(disk.haasBin, ['serve', '--detach', '--auth', 'null', '--db', join(disk.state, 'haas.db'),
      '--socket', join(disk.state, 'haas.sock'), '--log-file', log], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(started.status, 0, started.stderr);
    const pid = Number(/pid (\d+)/.exec(started.stdout)?.[1]);
    cleanups.push(() => { if (alive(pid)) process.kill(pid, 'SIGKILL'); });
    const d = new Daemon(disk.state, {});
    ok(await d.request('PUT', '/v0/project/p'));

    disk.fill();
    // Before, the access log's next write threw ENOSPC out of a timer and ended the daemon.
    for (let i = 0; i < 300; i++) ok(await d.request('GET', '/v0/projects'));
    storageFailure(await d.request('PUT', '/v0/project/q'), /disk .* is full/);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(alive(pid), 'the daemon is alive');
    assert.deepEqual(ok(await d.request('GET', '/v0/projects')).json, ['p']);
    const scraped = ok(await d.request('GET', '/metrics')).text;
    const lost = Number(/^haas_log_lines_lost_total (\d+)$/m.exec(scraped)?.[1]);
    // The file's last page had room for the first few dozen lines (a 4 KiB page holds ~60).
    assert.ok(lost >= 200, `haas_log_lines_lost_total ${lost}, expected most of the 300 access lines:\n${scraped}`);

    // Room again: the next write starts with how many lines were lost and why.
    disk.exec('rm', [join(disk.mnt, 'fill')]);
    ok(await d.request('PUT', '/v0/project/q'));
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!/PUT \/v0\/project\/:project 200/.test(text)) {
      if (Date.now() > deadline) throw new Error(`no access line after the disk had room again:\n${text.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
      text = disk.exec('cat', [log]);
    }
    const WARNING = /^\d{4}-\d\d-\d\dT\S+Z haas: WARN the log lost (\d+) lines since \d{4}-\S+Z: they could not be written \(ENOSPC: no space left on device, write\)$/m;
    const warning = WARNING.exec(text);
    assert.ok(warning, `no warning of the lost lines:\n${text.slice(-2000)}`);
    assert.match(readFileSync(join(repoRoot, 'README.md'), 'utf8'), WARNING, 'the README shows the warning as written');
    assert.ok(Number(warning[1]) >= lost, `the warning counts ${warning[1]} lines, the scrape said ${lost} before`);
    assert.ok(text.indexOf(warning[0]) < text.lastIndexOf('PUT /v0/project/:project 200'), 'the warning comes before the lines written after it');
    for (const line of text.slice(text.indexOf(warning[0])).split('\n').filter(Boolean)) assert.match(line, /^\d{4}-\d\d-\d\dT\S+Z haas: /, 'every line after the warning is whole');

    process.kill(pid, 'SIGTERM');
    const gone = Date.now() + 20_000;
    while (alive(pid)) {
      if (Date.now() > gone) throw new Error('the daemon did not exit on SIGTERM');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});

describe('the database file changed under the running daemon', () => {
  test('deleted, then replaced: writes are refused with 503 and logged, reads go on', async () => {
    const d = await startDaemon();
    cleanups.push(() => d.cleanup());
    ok(await d.request('PUT', '/v0/project/kept'));

    rmSync(d.db);
    storageFailure(await d.request('PUT', '/v0/project/lost'), /database file .* was deleted/);
    await until('the refused write was not logged', d, () => /was deleted while haas was running/.test(d.stderr));
    assert.deepEqual(ok(await d.request('GET', '/v0/projects')).json, ['kept']);

    const other = join(d.dir, 'other.db');
    writeFileSync(other, 'not the inventory');
    renameSync(other, d.db);
    storageFailure(await d.request('PUT', '/v0/project/lost'), /database file .* was replaced/);
    assert.deepEqual(ok(await d.request('GET', '/v0/projects')).json, ['kept']);
  });
});

describe('a lock held by another process', () => {
  test('a write waits busy_timeout, then answers 503 naming the lock; reads go on; it works once the lock is gone', async () => {
    const d = await startDaemon();
    cleanups.push(() => d.cleanup());
    const foreign = new Database(d.db);
    cleanups.push(() => { if (foreign.open) foreign.close(); });
    foreign.prepare('BEGIN IMMEDIATE').run();
    storageFailure(await d.request('PUT', '/v0/project/waits'), /locked by another process/);
    ok(await d.request('GET', '/v0/projects'));
    foreign.prepare('ROLLBACK').run();
    foreign.close();
    ok(await d.request('PUT', '/v0/project/waits'));
  });
});
