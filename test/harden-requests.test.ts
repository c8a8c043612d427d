// Requests that used to hurt the daemon (issue 11): a huge chunked body is refused at the cap
// without being buffered; an upgrade offer other than a console (`curl --http2` sends
// `Upgrade: h2c`) is served as plain HTTP; a malformed percent-escape on the console path is a 400.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { startDaemon, type Daemon } from './lib/daemon.js';
import { expectError, expectStatus } from './lib/fixtures.js';

/** VmRSS and VmHWM of a process, in kB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

function curl(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('curl', ['-sS', '--max-time', '20', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Send one raw HTTP request over TCP and return everything the daemon answers until it closes. */
function raw(d: Daemon, text: string): Promise<string> {
  return new Promise((res, rej) => {
    const s = connect(d.port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (c) => { out += c; });
    s.on('end', () => res(out));
    s.on('error', rej);
    s.setTimeout(10_000, () => { s.destroy(); res(out); });
  });
}

describe('request hardening', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  before(async () => { d = await startDaemon({ auth: 'null' }); });
  after(async () => { await d?.cleanup(); });

  it('refuses a chunked body far over the cap with 413 without buffering it', async () => {
    const pid = d.child.pid!;
    const before = memoryOf(pid);
    const total = 400 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 'x'.charCodeAt(0));
    const answer = await new Promise<{ status: number; text: string; sent: number }>((res, rej) => {
      let sent = 0;
      const req = httpRequest({ socketPath: d.socket, method: 'PUT', path: '/v0/project/harden-big', headers: { 'transfer-encoding': 'chunked' } }, (resp) => {
        let text = '';
        resp.setEncoding('utf8');
        resp.on('data', (c) => { text += c; });
        resp.on('end', () => res({ status: resp.statusCode ?? 0, text, sent }));
      });
      req.on('error', (e) => rej(e));
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) { req.once('drain', pump); return; }
        }
        req.end();
      };
      req.on('response', () => { req.removeAllListeners('drain'); });
      pump();
    });
    assert.equal(answer.status, 413, answer.text);
    assert.equal(JSON.parse(answer.text).type, 'PayloadTooLargeError');
    assert.ok(answer.sent < total, `the daemon read the whole ${total} bytes before answering`);
    const after = memoryOf(pid);
    assert.ok(after.hwm - before.hwm < 100 * 1024, `peak RSS grew by ${after.hwm - before.hwm} kB (${JSON.stringify({ before, after })})`);
    // The daemon still serves, and the project was not created.
    expectError(await d.request('GET', '/v0/project/harden-big/nodes'), 404);
  });

  it('still takes a chunked body under the cap', async () => {
    const r = await new Promise<number>((res, rej) => {
      const req = httpRequest({ socketPath: d.socket, method: 'PUT', path: '/v0/project/harden-chunked', headers: { 'transfer-encoding': 'chunked' } },
        (resp) => { resp.resume(); res(resp.statusCode ?? 0); });
      req.on('error', rej);
      req.write('{');
      req.end('}');
    });
    assert.equal(r, 200);
    expectStatus(await d.request('GET', '/v0/project/harden-chunked/nodes'), 200);
  });

  it('serves `curl --http2` (Upgrade: h2c) as plain HTTP, GET and PUT with a body, and keeps the connection', () => {
    const base = `http://127.0.0.1:${d.port}`;
    const put = curl(['--http2', '-X', 'PUT', '-d', '{}', '-w', '%{http_code}', `${base}/v0/project/harden-h2c`]);
    assert.equal(put.stdout, '200', put.stderr);
    const get = curl(['--http2', '-w', '\n%{http_code}\n', `${base}/v0/projects`, `${base}/v0/projects`, '-v']);
    assert.match(get.stderr, /Upgrade: h2c/, 'curl offered the upgrade');
    const lines = get.stdout.trim().split('\n');
    assert.deepEqual([lines[1], lines[3]], ['200', '200'], get.stdout);
    assert.ok(JSON.parse(lines[0]!).includes('harden-h2c'), get.stdout);
    assert.match(get.stderr, /Re-using existing connection|Reusing existing/i, 'the second request reused the connection');
  });

  it('answers a websocket offer on an API route like the plain request', async () => {
    const answer = await raw(d, 'GET /v0/projects HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /v0/nodes/all HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '200'], answer);
  });

  it('answers 400, not 500, to a malformed percent-escape on the console path', async () => {
    const answer = await raw(d, 'GET /v0/headnode/%E0%A4%A/console HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /, answer);
    assert.equal(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).type, 'BadArgumentError');
    const plain = await raw(d, 'GET /v0/headnode/%E0%A4%A/console HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.doesNotMatch(plain, /^HTTP\/1\.1 500 /, plain);
  });
});
