// HTTPS on --listen: the daemon serves the API over TLS with --tls-cert and
// --tls-key, refuses plain HTTP there, and the CLI talks to it over https.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHaas, startDaemon } from './lib/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-tls-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
const admin = { username: 'tlsadmin', password: 'tls-admin-pw' };
let d: Awaited<ReturnType<typeof startDaemon>>;

before(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  d = await startDaemon({ auth: 'database', admins: [admin], extraArgs: ['--tls-cert', cert, '--tls-key', key] });
});
after(async () => { await d?.cleanup(); rmSync(dir, { recursive: true, force: true }); });

function get(useTls: boolean): Promise<{ status: number; body: string }> {
  const auth = 'Basic ' + Buffer.from(`${admin.username}:${admin.password}`).toString('base64');
  const opts = { host: '127.0.0.1', port: d.port, path: '/v0/projects', headers: { authorization: auth } };
  return new Promise((resolve, reject) => {
    const req = useTls ? httpsRequest({ ...opts, ca: readFileSync(cert) }) : httpRequest(opts);
    req.on('response', (res) => { let body = ''; res.on('data', (c) => { body += c; }); res.on('end', () => resolve({ status: res.statusCode ?? 0, body })); });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('TLS on the TCP listener', () => {
  it('answers the API over https with the configured certificate', async () => {
    assert.deepEqual(await get(true), { status: 200, body: '[]' });
  });

  it('does not answer plain http on the TLS port', async () => {
    const r = await get(false).catch((e: Error) => ({ status: 0, body: e.message }));
    assert.notEqual(r.status, 200);
  });

  it('serves the CLI over https (the CA trusted through NODE_EXTRA_CA_CERTS)', () => {
    const env = { HAAS_ENDPOINT: `https://127.0.0.1:${d.port}`, HAAS_USERNAME: admin.username, HAAS_PASSWORD: admin.password, NODE_EXTRA_CA_CERTS: cert };
    assert.equal(runHaas(['project', 'create', 'tls-p'], { env }).code, 0);
    const r = runHaas(['project', 'list', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ['tls-p']);
  });

  it('refuses an untrusted certificate with a clear error, exit 1', () => {
    const env = { HAAS_ENDPOINT: `https://127.0.0.1:${d.port}`, HAAS_USERNAME: admin.username, HAAS_PASSWORD: admin.password, NODE_EXTRA_CA_CERTS: '' };
    const r = runHaas(['project', 'list'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cert|SELF_SIGNED|self-signed/i);
  });
});
