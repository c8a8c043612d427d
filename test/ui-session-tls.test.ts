// Over TLS the session cookie is also Secure (issue 17): a browser never sends it over plain HTTP.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from './lib/daemon.js';

describe('the session cookie over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haas-test-uitls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const admin = { username: 'uitls-admin', password: 'uitls-admin-pw' };
  let d: Daemon & { cleanup(): Promise<void> };

  before(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    d = await startDaemon({ auth: 'database', admins: [admin], extraArgs: ['--tls-cert', cert, '--tls-key', key] });
  });
  after(async () => { await d?.cleanup(); rmSync(dir, { recursive: true, force: true }); });

  it('is Secure when signed in over https, and not over the unix socket', async () => {
    const body = JSON.stringify(admin);
    const setCookie = await new Promise<string[] | undefined>((resolve, reject) => {
      const req = httpsRequest({
        host: '127.0.0.1', port: d.port, method: 'POST', path: '/v0/session', ca: undefined, rejectUnauthorized: false,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      }, (resp) => {
        resp.resume();
        resp.on('end', () => resolve(resp.headers['set-cookie']));
        assert.equal(resp.statusCode, 200);
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.ok(setCookie, 'a cookie over https');
    assert.deepEqual(setCookie[0]!.split(';').slice(1).map((s) => s.trim()).sort(), ['HttpOnly', 'Path=/', 'SameSite=Strict', 'Secure']);
    const plain = await d.request('POST', '/v0/session', { body: admin });
    assert.equal(plain.status, 200);
    assert.ok(!(plain.headers['set-cookie'] as string[])[0]!.includes('Secure'));
  });
});
