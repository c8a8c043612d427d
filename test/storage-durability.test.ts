// Acknowledged means durable: writes answered 2xx survive a power cut of the database's disk.
// LAB.md's recipe on the executable: ext4 on a loop device in a private mount namespace, N writes
// acknowledged, the filesystem failed at once (trigger_fs_error drops what was not written back),
// kill -9, umount, e2fsck -fy, mount, restart: all N are there. Meanwhile, on the failed (read-only)
// filesystem, a write answers 503 StorageError with the cause, not 500.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { haasCommand } from './lib/daemon.js';
import { loopExt4, storageLabUnavailable, type LoopExt4 } from './lab/storage.js';

const skip = storageLabUnavailable();
const fixtures: LoopExt4[] = [];
after(() => { for (const f of fixtures) f.close(); });

const N = 20;

describe('a power cut of the database disk', { skip: skip ?? false }, () => {
  test(`${N} acknowledged writes are all there after the power cut, fsck and restart`, async () => {
    const disk = loopExt4(haasCommand());
    fixtures.push(disk);
    await disk.create(64);
    const first = await disk.startDaemon();
    try {
      const acknowledged: string[] = [];
      for (let i = 0; i < N; i++) {
        const label = `durable-${i}`;
        const r = await first.request('PUT', `/v0/project/${label}`);
        assert.equal(r.status, 200, r.text);
        acknowledged.push(label);
      }
      // Another kind of write (a network and its VLAN allocation) is acknowledged too.
      const net = await first.request('PUT', '/v0/network/durable-net', { body: { owner: 'admin', access: '', net_id: '' } });
      assert.equal(net.status, 200, net.text);

      disk.powerCut();
      // The filesystem is read-only now: a write is refused with its cause, never a 500.
      const refused = await first.request('PUT', '/v0/project/after-the-cut');
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.json.type, 'StorageError');
      assert.match(refused.json.msg, /read-only|I\/O error/);
      for (let i = 0; !/PUT \/v0\/project\/after-the-cut: Storage failure/.test(first.stderr); i++) {
        assert.ok(i < 200, `the refused write was not logged:\n${first.stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await first.kill();

      const fsck = disk.fsckAndRemount();
      const second = await disk.startDaemon();
      try {
        const list = await second.request('GET', '/v0/projects');
        assert.equal(list.status, 200, list.text);
        const there = acknowledged.filter((p) => (list.json as string[]).includes(p));
        assert.deepEqual(there, acknowledged, `${there.length}/${N} acknowledged projects after the power cut; e2fsck said:\n${fsck}`);
        assert.ok(!(list.json as string[]).includes('after-the-cut'));
        const nets = await second.request('GET', '/v0/networks');
        assert.ok(Object.keys(nets.json).includes('durable-net'), nets.text);
      } finally {
        await second.cleanup();
      }
    } finally {
      await first.cleanup();
    }
  });
});
