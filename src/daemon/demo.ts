// `haas demo`: a throwaway lab to try haas in. A daemon on a fresh temporary
// directory, with the mock switch and mock BMCs, seeded through its own API
// (so every object is checked and audited as if an admin had typed it), and
// the commands to try printed. Ctrl-C (or SIGTERM) stops the daemon and
// removes the directory: nothing is left behind. No root needed.
import { Command, Option } from 'clipanion';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config.js';
import { openInventory } from '../db/inventory.js';
import { createUser } from '../core/users.js';
import { serve } from './serve.js';

/** The demo lab's names, as the printed commands and the README use them. */
export const DEMO = { project: 'lab', user: 'alice', admin: 'admin', switchName: 'sw1', nic: 'pxe' } as const;

/** The most nodes a demo lab gets (one mock switch port each). */
const MAX_NODES = 48;

/** One call on the demo daemon's unix socket, as `user`; rejects unless it answers 2xx. */
function call(socketPath: string, auth: string, method: string, path: string, body?: unknown): Promise<void> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { authorization: auth };
  if (text !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = String(Buffer.byteLength(text)); }
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`${method} ${path}: ${status} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** The lab: a project, a member, a mock switch, and `nodes` nodes with a PXE nic cabled to a port each. */
async function seed(socketPath: string, adminAuth: string, userPassword: string, nodes: number): Promise<void> {
  const c = (method: string, path: string, body?: unknown) => call(socketPath, adminAuth, method, path, body);
  await c('PUT', `/v0/project/${DEMO.project}`);
  await c('PUT', `/v0/auth/basic/user/${DEMO.user}`, { password: userPassword, is_admin: false });
  await c('POST', `/v0/auth/basic/user/${DEMO.user}/add_project`, { project: DEMO.project });
  await c('PUT', `/v0/switch/${DEMO.switchName}`, { type: 'mock', hostname: 'demo-sw1', username: 'admin', password: randomBytes(9).toString('base64url') });
  for (let i = 1; i <= nodes; i++) {
    const node = `node${i}`;
    const port = `gi1/0/${i}`;
    const mac = `52:54:00:00:00:${i.toString(16).padStart(2, '0')}`;
    await c('PUT', `/v0/node/${node}`, { obm: { type: 'mock', host: `${node}-bmc`, user: 'root', password: randomBytes(9).toString('base64url') } });
    await c('PUT', `/v0/node/${node}/nic/${DEMO.nic}`, { macaddr: mac });
    await c('PUT', `/v0/switch/${DEMO.switchName}/port/${encodeURIComponent(port)}`);
    await c('POST', `/v0/switch/${DEMO.switchName}/port/${encodeURIComponent(port)}/connect_nic`, { node, nic: DEMO.nic });
  }
}

/** A client config file (mode 0600) that points the CLI at the demo daemon as `user`. */
function clientConfig(path: string, socket: string, user: string, password: string): void {
  writeFileSync(path, `[client]\nendpoint = unix:${socket}\nusername = ${user}\npassword = ${password}\n`, { mode: 0o600 });
}

/** What to try, printed once the lab is ready. */
export function demoText(dir: string, nodes: number): string {
  const member = join(dir, `${DEMO.user}.conf`);
  const admin = join(dir, `${DEMO.admin}.conf`);
  return `haas demo: a throwaway lab in ${dir}
  a mock switch (${DEMO.switchName}), ${nodes} nodes with mock BMCs (node1..node${nodes}), each nic "${DEMO.nic}" cabled to a port,
  project "${DEMO.project}" with member "${DEMO.user}", and an admin "${DEMO.admin}".

Try, in another terminal:
  export HAAS_CLIENT_CONFIG=${member}     # you are ${DEMO.user}; ${admin} is the admin
  haas node list free
  haas project connect-node ${DEMO.project} node1
  haas network create provisioning --owner ${DEMO.project} --access ${DEMO.project}
  haas node connect-network node1 ${DEMO.nic} provisioning --wait
  haas node show node1
  haas node obm enable node1
  haas node power cycle node1
  haas node console node1                 # Ctrl-] to leave
  haas audit --node node1
  HAAS_CLIENT_CONFIG=${admin} haas switch verify ${DEMO.switchName}

Ctrl-C here stops the daemon and removes ${dir}.
`;
}

/** `haas demo`. */
export class DemoCommand extends Command {
  static override paths = [['demo']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'run a throwaway lab (mock switch and BMCs) to try haas in; Ctrl-C removes it',
    details: `
      Starts a daemon on a new temporary directory (its database, socket and client config files), with a mock switch,
      mock BMCs, nodes cabled to the switch, a project and a member, all made through the API. It prints the commands
      to try. No root and no hardware needed: nothing outside the directory is touched. Ctrl-C or SIGTERM stops the
      daemon and removes the directory. Your own config files and HAAS_* settings are not used.
    `,
    examples: [['A lab of 4 nodes', 'haas demo'], ['A larger one', 'haas demo --nodes 12']],
  });
  nodes = Option.String('--nodes', '4', { description: `how many nodes (1 to ${MAX_NODES})` });

  async execute(): Promise<number> {
    const nodes = Number(this.nodes);
    if (!/^\d+$/.test(this.nodes) || nodes < 1 || nodes > MAX_NODES) {
      this.context.stderr.write(`haas: --nodes: expected a whole number from 1 to ${MAX_NODES}, got "${this.nodes}"\n`);
      return 2;
    }
    const dir = mkdtempSync(join(tmpdir(), 'haas-demo-'));
    try {
      return await this.run(dir, nodes);
    } catch (e) {
      this.context.stderr.write(`haas: demo: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async run(dir: string, nodes: number): Promise<number> {
    const socket = join(dir, 'haas.sock');
    const configFile = join(dir, 'haas.conf');
    // Everything under the directory; no drift checks to log about while the user plays.
    writeFileSync(configFile, `[server]\nstate_dir = ${dir}\ndb = ${join(dir, 'haas.db')}\nsocket = ${socket}\nauth = database\n\n[drift]\ninterval = off\n`);
    // A clean environment: the user's HAAS_CONFIG, HAAS_DB, ... must not reach the demo's daemon.
    const config = resolveConfig({ config: configFile }, {});
    const adminPassword = randomBytes(12).toString('base64url');
    const userPassword = randomBytes(12).toString('base64url');
    const inv = openInventory(config.db, { create: true });
    try { createUser({ inv }, DEMO.admin, adminPassword, true); } finally { inv.close(); }
    clientConfig(join(dir, `${DEMO.admin}.conf`), socket, DEMO.admin, adminPassword);
    clientConfig(join(dir, `${DEMO.user}.conf`), socket, DEMO.user, userPassword);
    const adminAuth = 'Basic ' + Buffer.from(`${DEMO.admin}:${adminPassword}`).toString('base64');
    let seeded: Promise<void> = Promise.resolve();
    const code = await serve(config, {
      ready: () => {
        seeded = seed(socket, adminAuth, userPassword, nodes).then(
          () => { this.context.stdout.write(demoText(dir, nodes)); },
          (e: unknown) => {
            this.context.stderr.write(`haas: demo: seeding the lab failed: ${e instanceof Error ? e.message : String(e)}\n`);
            process.kill(process.pid, 'SIGTERM');
            throw e;
          });
      },
    });
    await seeded;
    return code;
  }
}
