// The console log book on its own (src/daemon/console-log.ts): time stamps per
// line, --since, rotation within log_size, a fresh log when the node changes
// project (the old one released), retention, following; and the keeper's backoff.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ConsoleLogBook, LineStamper, linesSince, type LogOwner } from '../src/daemon/console-log.js';
import { retryDelay } from '../src/daemon/console-keeper.js';
import { fileChildRecorder } from '../src/daemon/console-children.js';
import type { Logger } from '../src/log.js';

async function text(r: Readable): Promise<string> {
  let s = '';
  for await (const c of r) s += Buffer.isBuffer(c) ? c.toString('utf8') : String(c);
  return s;
}

const T0 = Date.parse('2026-01-31T12:00:00.000Z');

describe('console log lines', () => {
  it('stamps every line with the time of its first byte, across chunks', () => {
    const s = new LineStamper();
    const out = [s.stamp(Buffer.from('boot'), T0), s.stamp(Buffer.from('ing\r\nlogin: '), T0 + 1000), s.stamp(Buffer.from('\n'), T0 + 2000)]
      .map((b) => b.toString()).join('');
    assert.equal(out, '2026-01-31T12:00:00.000Z booting\r\n2026-01-31T12:00:01.000Z login: \n');
  });

  it('since: from the first line at or after the time; nothing when all are older', () => {
    const log = Buffer.from('2026-01-31T12:00:00.000Z a\n2026-01-31T12:00:05.000Z b\n2026-01-31T12:00:09.000Z c\n');
    assert.equal(linesSince(log, T0 + 5000).toString(), '2026-01-31T12:00:05.000Z b\n2026-01-31T12:00:09.000Z c\n');
    assert.equal(linesSince(log, T0 + 4000).toString(), '2026-01-31T12:00:05.000Z b\n2026-01-31T12:00:09.000Z c\n');
    assert.equal(linesSince(log, T0 + 10_000).length, 0);
    assert.equal(linesSince(log, null), log);
  });
});

describe('the console log book', () => {
  let dir: string;
  let now: number;
  let owners: Map<string, LogOwner>;
  let book: ConsoleLogBook;
  const make = (size = 4096, retentionMs = 3600_000) =>
    new ConsoleLogBook({ logDir: dir, logSizeBytes: size, logRetentionMs: retentionMs }, (n) => owners.get(n), () => now);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'haas-test-clog-'));
    now = T0;
    owners = new Map([['n1', { id: 1, name: 'proj1' }]]);
    book = make();
  });
  afterEach(() => { book.closeAll(); rmSync(dir, { recursive: true, force: true }); });

  it('rotates within log_size and keeps the newest output', async () => {
    for (let i = 0; i < 2000; i++) { now = T0 + i * 10; book.append('n1', Buffer.from(`line ${i} ${'x'.repeat(40)}\r\n`)); }
    const files = ['current.log', 'current.log.1'].map((f) => join(dir, 'n1', f));
    const total = files.reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
    assert.ok(total <= 4096, `${total} bytes`);
    assert.ok(existsSync(files[1]!));
    const all = await text(book.current('n1', { sinceMs: null, follow: false }));
    assert.match(all, /line 1999 x+\r\n$/);
    assert.doesNotMatch(all, /line 0 /);
    for (const l of all.split('\n').filter((x) => x !== '')) assert.match(l, /^2026-01-31T12:00:\d\d\.\d{3}Z line \d+/);
  });

  it('cuts a line that never ends instead of growing past the bound', () => {
    for (let i = 0; i < 500; i++) book.append('n1', Buffer.from('y'.repeat(100)));
    const total = ['current.log', 'current.log.1'].reduce((n, f) => n + statSync(join(dir, 'n1', f)).size, 0);
    assert.ok(total <= 4096, `${total} bytes`);
  });

  it('a node changing project gets a fresh log; the old one is released, and followers of it end', async () => {
    book.append('n1', Buffer.from('secret of proj1\n'));
    const follower = book.current('n1', { sinceMs: null, follow: true });
    const followed = text(follower);
    book.append('n1', Buffer.from('more of proj1\n'));
    now = T0 + 60_000;
    book.setOwner('n1', { id: 2, name: 'proj2' });
    const seen = await followed;
    assert.match(seen, /secret of proj1[\s\S]*more of proj1[\s\S]*closed/);
    assert.equal(await text(book.current('n1', { sinceMs: null, follow: false })), '');
    book.append('n1', Buffer.from('of proj2\n'));
    assert.doesNotMatch(await text(book.current('n1', { sinceMs: null, follow: false })), /proj1/);
    const released = book.released('n1');
    assert.deepEqual(released.map((r) => [r.project, r.released]), [['proj1', '2026-01-31T12:01:00.000Z']]);
    assert.match(await text(book.readReleased('n1', released[0]!.name, null)!), /secret of proj1/);
    assert.equal(book.readReleased('n1', '../../etc/passwd', null), null);
  });

  it('a project change while the daemon was down is noticed when the log is next written', async () => {
    book.append('n1', Buffer.from('proj1 output\n'));
    book.closeAll();
    owners.set('n1', { id: 2, name: 'proj2' });
    book = make();
    book.append('n1', Buffer.from('proj2 output\n'));
    assert.doesNotMatch(await text(book.current('n1', { sinceMs: null, follow: false })), /proj1/);
    assert.equal(book.released('n1').length, 1);
  });

  it('removes released logs older than log_retention', () => {
    book.append('n1', Buffer.from('old\n'));
    book.setOwner('n1', { id: null, name: null });
    assert.equal(book.released('n1').length, 1);
    now = T0 + 3600_000 - 1;
    book.prune();
    assert.equal(book.released('n1').length, 1);
    now = T0 + 3600_000 + 1;
    book.prune();
    assert.equal(book.released('n1').length, 0);
  });

  it('ends a line a previous run left unfinished, so the next line gets its own time', () => {
    book.append('n1', Buffer.from('half a line'));
    book.closeAll();
    book = make();
    now = T0 + 5000;
    book.append('n1', Buffer.from('next\n'));
    assert.equal(readFileSync(join(dir, 'n1', 'current.log'), 'utf8'),
      '2026-01-31T12:00:00.000Z half a line\n2026-01-31T12:00:05.000Z next\n');
  });
});

describe('the console keeper\'s retry delays', () => {
  it('re-opens a healthy session soon and backs off to five minutes for a failing BMC', () => {
    assert.equal(retryDelay(0), 1000);
    assert.deepEqual([1, 2, 3, 4].map(retryDelay), [2000, 4000, 8000, 16000]);
    assert.equal(retryDelay(9), 300_000);
    assert.equal(retryDelay(1000), 300_000);
  });
});

describe('the console process record', () => {
  it('a record that cannot be written (directory gone, disk full) is logged once, never thrown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haas-test-children-'));
    const warnings: string[] = [];
    const log: Logger = { debug() {}, info() {}, warn(m) { warnings.push(m); }, error(m) { warnings.push(m); } };
    const rec = fileChildRecorder(join(dir, 'gone', 'console-children.json'), log);
    rec.started(process.pid);
    rec.ended(process.pid);
    rec.started(process.pid);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /cannot record console processes/);
    const ok = fileChildRecorder(join(dir, 'console-children.json'), log);
    ok.started(process.pid);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'console-children.json'), 'utf8')).map((r: { pid: number }) => r.pid), [process.pid]);
    rmSync(dir, { recursive: true, force: true });
  });
});
