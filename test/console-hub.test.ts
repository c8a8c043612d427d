// The console service on its own (src/daemon/console-hub.ts), over a fake
// console that echoes what is typed: many viewers share one session, one
// writer, a refused second writer, forced takeover, the writer's successor, end(), the recent output,
// and keep/onOutput (the console log's hooks).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex, type Readable } from 'node:stream';
import { createConsoleHub } from '../src/daemon/console-hub.js';
import type { ConsoleAttachment } from '../src/core/consoles.js';

/** A fake console: `say` prints, typed bytes are echoed as `typed:<bytes>`; counts its openings. */
function fakeConsole() {
  const sessions: Duplex[] = [];
  const open = (): Readable => {
    const s = new Duplex({
      read() { /* pushed by say */ },
      write(chunk: Buffer, _enc, cb) { this.push(`typed:${chunk.toString()}\n`); cb(); },
    });
    s.push('banner\n');
    sessions.push(s);
    return s;
  };
  return { open, sessions, say: (text: string) => sessions.at(-1)!.push(text) };
}

/** Everything a session received so far, and whether it ended. */
function collect(a: ConsoleAttachment) {
  let text = '';
  let ended = false;
  a.stream.on('data', (c: Buffer) => { text += c.toString(); });
  a.stream.on('end', () => { ended = true; });
  return { text: () => text, ended: () => ended };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('console hub', () => {
  it('shares one session among viewers, each starting with the recent output', async () => {
    const hub = createConsoleHub();
    const c = fakeConsole();
    const a = collect(await hub.attach('node:n1', c.open, 'alice', 'read-only'));
    c.say('one\n');
    const b = collect(await hub.attach('node:n1', c.open, 'bob', 'read-only'));
    const third = collect(await hub.attach('node:n1', c.open, 'carol', 'read-only'));
    c.say('two\n');
    await tick();
    assert.equal(c.sessions.length, 1);
    for (const v of [a, b, third]) assert.equal(v.text(), 'banner\none\ntwo\n');
    hub.endAll();
  });

  it('passes only the writer\'s keys; a second writer is told and ignored; force takes over and tells the first', async () => {
    const hub = createConsoleHub();
    const c = fakeConsole();
    const first = await hub.attach('node:n1', c.open, 'alice', 'write');
    assert.equal(first.role, 'writer');
    const firstOut = collect(first);
    const second = await hub.attach('node:n1', c.open, 'bob', 'write');
    assert.equal(second.role, 'viewer');
    const secondOut = collect(second);
    second.stream.write('ignored');
    first.stream.write('hello');
    await tick();
    assert.match(secondOut.text(), /alice is writing; this session is read-only/);
    assert.ok(secondOut.text().includes('typed:hello'), 'the echo reaches every viewer');
    assert.ok(!firstOut.text().includes('ignored') && !secondOut.text().includes('typed:ignored'), 'a viewer\'s keys reached the console');

    const third = await hub.attach('node:n1', c.open, 'carol', 'force');
    assert.deepEqual([third.role, third.displaced], ['writer', 'alice']);
    first.stream.write('late');
    third.stream.write('mine');
    await tick();
    assert.match(firstOut.text(), /carol took over; this session is now read-only/);
    assert.ok(!firstOut.text().includes('typed:late'), 'the displaced writer still types');
    assert.ok(firstOut.text().includes('typed:mine'));

    // The writer leaves: the session that asked to write and waited longest becomes the writer, and is told.
    third.stream.destroy();
    await tick();
    assert.match(firstOut.text(), /carol left; this session is now the writer/);
    first.stream.write('again');
    await tick();
    assert.ok(secondOut.text().includes('typed:again'), 'the promoted writer\'s keys did not reach the console');
    hub.endAll();
  });

  it('closes the session when the last viewer leaves, unless it is kept; end() closes everyone', async () => {
    const hub = createConsoleHub();
    const c = fakeConsole();
    const a = await hub.attach('node:n1', c.open, 'alice', 'read-only');
    a.stream.destroy();
    await tick();
    assert.equal(c.sessions[0]!.destroyed, true, 'the session outlived its last viewer');

    const chunks: string[] = [];
    hub.onOutput((key, chunk) => chunks.push(`${key}=${chunk.toString()}`));
    // keep() settles when the kept session is over (here: end()).
    let keptOver = false;
    const kept = hub.keep('node:n2', c.open).then(() => { keptOver = true; });
    const v = await hub.attach('node:n2', c.open, 'bob', 'write');
    const out = collect(v);
    v.stream.destroy();
    c.say('while nobody watches\n');
    await tick();
    assert.equal(c.sessions[1]!.destroyed, false, 'a kept session closed with its last viewer');
    assert.deepEqual(chunks, ['node:n2=banner\n', 'node:n2=while nobody watches\n']);

    const w = await hub.attach('node:n2', c.open, 'carol', 'write');
    const wOut = collect(w);
    const r = collect(await hub.attach('node:n2', c.open, 'dave', 'read-only'));
    assert.equal(keptOver, false, 'keep() settled while its session ran');
    hub.end('node:n2');
    await tick();
    await kept;
    assert.ok(wOut.ended() && r.ended(), 'end() left a viewer open');
    assert.equal(c.sessions[1]!.destroyed, true);
    assert.ok(!out.text().includes('while nobody'));
    // A new session after end() starts afresh: the old output is forgotten.
    const fresh = collect(await hub.attach('node:n2', c.open, 'erin', 'read-only'));
    await tick();
    assert.equal(fresh.text(), 'banner\n');
    hub.endAll();
  });

  it('rejects a session that fails before its first bytes', async () => {
    const hub = createConsoleHub();
    const failing = (): Readable => {
      const s = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } });
      setImmediate(() => s.destroy(new Error('BMC says no')));
      return s;
    };
    await assert.rejects(hub.attach('node:n3', failing, 'alice', 'write'), /BMC says no/);
    await assert.rejects(hub.keep('node:n3', failing), /BMC says no/);
  });
});
