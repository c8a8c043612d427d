// HTTPS on --listen: the daemon serves the API over TLS with --tls-cert and --tls-key, refuses plain
// HTTP there, and the CLI talks to it over https, trusting a lab's own CA when told to (--ca-cert,
// HAAS_CA_CERT, ca_cert in client.conf) and refusing an unknown certificate otherwise.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A lab CA: a self-signed certificate that may sign others. */
function makeCa(): { cert: string; key: string } {
  const out = { cert: join(dir, 'lab-ca.pem'), key: join(dir, 'lab-ca-key.pem') };
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=haas test lab CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', out.key, '-out', out.cert]);
  return out;
}

/** A key and a certificate for 127.0.0.1 signed by `ca`. */
function makeServerCertificate(ca: { cert: string; key: string }): { cert: string; key: string } {
  const out = { cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\n');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', out.key,
    '-subj', '/CN=127.0.0.1', '-out', csr]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', out.cert]);
  return out;
}

/** The CLI's environment: credentials, the https endpoint, and no CA from the runner or a config file. */
function cliEnv(port: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HAAS_ENDPOINT: `https://127.0.0.1:${port}`, HAAS_USERNAME: admin.username, HAAS_PASSWORD: admin.password,
    HAAS_CA_CERT: '', NODE_EXTRA_CA_CERTS: '', HAAS_CLIENT_CONFIG: join(dir, 'no-client.conf'), ...extra,
  };
}

before(async () => {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
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
    const env = cliEnv(d.port, { NODE_EXTRA_CA_CERTS: cert });
    assert.equal(runHaas(['project', 'create', 'tls-p'], { env }).code, 0);
    const r = runHaas(['project', 'list', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ['tls-p']);
  });

  it('refuses a self-signed certificate it was not told to trust: names the problem and the option, exit 1', () => {
    const r = runHaas(['project', 'list'], { env: cliEnv(d.port) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^haas: cannot reach haas at https://127\\.0\\.0\\.1:${d.port}: its TLS certificate is not trusted: `
      + 'self-signed certificate \\(DEPTH_ZERO_SELF_SIGNED_CERT\\)'));
    assert.match(r.stderr, /--ca-cert FILE, HAAS_CA_CERT or "ca_cert" in the client config/);
    assert.equal(r.stdout, '');
  });

  it('trusts the certificate given with --ca-cert, HAAS_CA_CERT or ca_cert in client.conf', () => {
    let r = runHaas(['project', 'list', '--json', '--ca-cert', cert], { env: cliEnv(d.port) });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Array.isArray(JSON.parse(r.stdout)));

    r = runHaas(['project', 'list', '--json'], { env: cliEnv(d.port, { HAAS_CA_CERT: cert }) });
    assert.equal(r.code, 0, r.stderr);

    // ca_cert in the client config; a relative path is relative to the config file.
    const confDir = join(dir, 'conf');
    mkdirSync(confDir, { recursive: true });
    writeFileSync(join(confDir, 'lab-ca.pem'), readFileSync(cert));
    const conf = join(confDir, 'client.conf');
    writeFileSync(conf, `[client]\nendpoint = https://127.0.0.1:${d.port}\nca_cert = lab-ca.pem\n`);
    r = runHaas(['project', 'list', '--json'], { env: cliEnv(d.port, { HAAS_ENDPOINT: '', HAAS_CLIENT_CONFIG: conf }) });
    assert.equal(r.code, 0, r.stderr);
    // The flag wins over the environment.
    r = runHaas(['project', 'list', '--ca-cert', cert], { env: cliEnv(d.port, { HAAS_CA_CERT: join(dir, 'missing.pem') }) });
    assert.equal(r.code, 0, r.stderr);
  });

  it('says so when the CA file cannot be used, exit 2', () => {
    let r = runHaas(['project', 'list', '--ca-cert', join(dir, 'missing.pem')], { env: cliEnv(d.port) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read CA certificate file .*missing\.pem: ENOENT/);
    r = runHaas(['project', 'list', '--ca-cert', key], { env: cliEnv(d.port) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /holds no PEM certificate/);
  });
});

describe('TLS with a certificate signed by a lab CA', () => {
  let lab: Awaited<ReturnType<typeof startDaemon>>;
  let ca: { cert: string; key: string };
  before(async () => {
    ca = makeCa();
    const server = makeServerCertificate(ca);
    lab = await startDaemon({ auth: 'database', admins: [admin], extraArgs: ['--tls-cert', server.cert, '--tls-key', server.key] });
  });
  after(async () => { await lab?.cleanup(); });

  it('refuses it without the CA, and trusts it with the CA\'s certificate', () => {
    const refused = runHaas(['project', 'list'], { env: cliEnv(lab.port) });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /its TLS certificate is not trusted: unable to verify the first certificate/);
    assert.match(refused.stderr, /--ca-cert FILE/);
    const r = runHaas(['project', 'list', '--json', '--ca-cert', ca.cert], { env: cliEnv(lab.port) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});
