// A shared headnode console on a real QEMU guest (its ttyS0 runs a shell):
// three viewers see the same output, the writer's commands run and their
// output reaches every viewer, a second writer is refused (told, its keys
// ignored) and takes over with force (the first is told), every session is
// audited, and stopping the headnode closes them all. One test: QEMU is slow.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';
import { labUnavailable, killAll, onCleanup } from './lab/netns.js';
import { startOvsLab, type OvsLab } from './lab/ovs.js';
import { installImage, READY_MARKER, tinyGuest, type TinyGuest } from './lab/guest.js';
import { openConsole, until, type ConsoleClient } from './lib/console.js';

const guest = labUnavailable() ?? tinyGuest();
const skip = typeof guest === 'string' ? `headnode lab unavailable: ${guest}` : false;

/** Pids of the QEMUs whose command line mentions `text` (a run directory). */
function qemusOf(text: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').startsWith('qemu-system') && readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text)) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

describe('a shared headnode console (real QEMU)', { skip }, () => {
  let root: string;
  let lab: OvsLab;
  let d: Awaited<ReturnType<typeof startDaemon>>;
  const call = caller(() => d);
  const sessions: ConsoleClient[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'haas-test-cons-hn-'));
    onCleanup(() => { killAll(qemusOf(root)); rmSync(root, { recursive: true, force: true }); });
    lab = await startOvsLab();
    installImage(join(root, 'images'), 'tiny', guest as TinyGuest);
    const config = [
      '[headnode]', `image_dir = ${join(root, 'images')}`, `run_dir = ${join(root, 'run')}`, 'kvm = auto',
      'backend = ovs', `ovs_bridge = ${lab.bridge}`, `ovs_db = unix:${join(lab.rundir, 'db.sock')}`, `bridge_netns = ${lab.switchNs}`,
    ].join('\n');
    d = await startDaemon({ dir: mkdtempSync(join(root, 'state-')), config });
    ok(await call('PUT', '/project/proj'));
    ok(await call('PUT', '/headnode/hn', { project: 'proj', base_img: 'tiny' }));
    ok(await call('POST', '/headnode/hn/start'));
  });

  after(async () => {
    for (const s of sessions) s.close();
    await d?.cleanup().catch(() => {});
    killAll(qemusOf(root ?? '/nonexistent'));
    lab?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('many viewers, one writer, a refused writer, a forced takeover; stopping closes every session', async () => {
    const path = '/v0/headnode/hn/console';
    const attach = async (mode: 'read-only' | 'write' | 'force' | null) => {
      const s = await openConsole(d, path, null, mode);
      sessions.push(s);
      assert.equal(s.status, mode === null ? 200 : 101, s.text());
      return s;
    };
    const viewers = [await attach(null), await attach('read-only'), await attach('read-only')];
    await until('the guest ready on every viewer', () => viewers.every((v) => v.text().includes(READY_MARKER)), 120_000);

    const writer = await attach('write');
    writer.type('echo typed-$((6*7))\n');
    await until('the command\'s output on every viewer', () => [...viewers, writer].every((v) => v.text().includes('typed-42')), 30_000);

    const second = await attach('write');
    await until('the read-only notice', () => /is writing; this session is read-only/.test(second.text()));
    second.type('echo refused-$((1+1))\n');
    const forced = await attach('force');
    await until('the takeover notice', () => /took over; this session is now read-only/.test(writer.text()));
    writer.type('echo stale-$((3+4))\n');
    forced.type('echo forced-$((2+3))\n');
    await until('the new writer\'s output everywhere', () => [...viewers, writer, second, forced].every((v) => v.text().includes('forced-5')), 30_000);
    for (const s of sessions) assert.ok(!/refused-2|stale-7/.test(s.text()), `keys of a read-only session ran: ${s.text().slice(-800)}`);

    const audit = ok(await call('GET', '/audit?operation=console_attach')).json as { entries: { detail: Record<string, string> }[] };
    assert.deepEqual(audit.entries.reverse().map((e) => [e.detail.console, e.detail.role, e.detail.displaced ?? null]), [
      ['headnode:hn', 'viewer', null], ['headnode:hn', 'viewer', null], ['headnode:hn', 'viewer', null],
      ['headnode:hn', 'writer', null], ['headnode:hn', 'viewer', null], ['headnode:hn', 'writer', 'null-auth'],
    ]);

    ok(await call('POST', '/headnode/hn/stop'));
    await Promise.all(sessions.map((s) => s.ended));
    const refused = await openConsole(d, path, null, 'write');
    sessions.push(refused);
    assert.equal(refused.status, 409, refused.text());
  });
});
