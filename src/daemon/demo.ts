// `haas demo`: a throwaway lab to try haas in. A daemon on a fresh temporary
// directory, with the mock switch and mock BMCs, seeded through its own API
// (so every object is checked and audited as if an admin had typed it), and
// the commands to try printed. Ctrl-C (or SIGTERM) stops the daemon and
// removes the directory: nothing is left behind. No root needed.
// `haas demo --real` (root) builds the same lab of real parts (demo-real.ts):
// Open vSwitch driven by the `ovs` driver, node namespaces to ping between,
// ipmi_sim BMCs driven by the `ipmi` driver, and headnodes when given images.
import { Command, Option } from 'clipanion';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../config.js';
import { listImages } from '../headnode/images.js';
// The daemon, the database and the lab builders load only when a demo runs (as `haas serve` does):
// every other command starts without them.
import type { RealDemoLab } from './demo-real.js';

/** The demo lab's names, as the printed commands and the README use them. */
export const DEMO = { project: 'lab', user: 'alice', admin: 'admin', switchName: 'sw1', nic: 'pxe' } as const;

/** The most nodes a demo lab gets (one mock switch port each). */
const MAX_NODES = 48;
/** The real lab's bounds: three nodes show isolation (two on one network, one on another); each has an ipmi_sim. */
const MIN_REAL_NODES = 3;
const MAX_REAL_NODES = 16;

/** A node as the lab is seeded with it: its switch port, its nic's MAC and its OBM body. */
interface DemoNode { name: string; port: string; mac: string; obm: Record<string, string | number> }

/** What the seeding registers: the switch (its PUT body) and the nodes cabled to it. */
interface DemoParts { switchBody: Record<string, string>; nodes: DemoNode[] }

/** The mock lab: a mock switch and `count` nodes with mock BMCs. */
function mockParts(count: number): DemoParts {
  const nodes: DemoNode[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `node${i}`;
    nodes.push({
      name, port: `gi1/0/${i}`, mac: `52:54:00:00:00:${i.toString(16).padStart(2, '0')}`,
      obm: { type: 'mock', host: `${name}-bmc`, user: 'root', password: randomBytes(9).toString('base64url') },
    });
  }
  return { switchBody: { type: 'mock', hostname: 'demo-sw1', username: 'admin', password: randomBytes(9).toString('base64url') }, nodes };
}

/** The real lab as seeded: the `ovs` driver on the lab's bridge (local mode), the `ipmi` driver on each ipmi_sim. */
function realParts(lab: RealDemoLab): DemoParts {
  return {
    switchBody: { type: 'ovs', ovs_bridge: lab.ovs.bridge },
    nodes: lab.nodes.map((n) => ({ name: n.name, port: n.port, mac: n.mac, obm: n.obm })),
  };
}

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

/** The lab: a project, a member, the switch, and the nodes with a PXE nic cabled to their port. */
async function seed(socketPath: string, adminAuth: string, userPassword: string, parts: DemoParts): Promise<void> {
  const c = (method: string, path: string, body?: unknown) => call(socketPath, adminAuth, method, path, body);
  await c('PUT', `/v0/project/${DEMO.project}`);
  await c('PUT', `/v0/auth/basic/user/${DEMO.user}`, { password: userPassword, is_admin: false });
  await c('POST', `/v0/auth/basic/user/${DEMO.user}/add_project`, { project: DEMO.project });
  await c('PUT', `/v0/switch/${DEMO.switchName}`, parts.switchBody);
  for (const n of parts.nodes) {
    const port = encodeURIComponent(n.port);
    await c('PUT', `/v0/node/${n.name}`, { obm: n.obm });
    await c('PUT', `/v0/node/${n.name}/nic/${DEMO.nic}`, { macaddr: n.mac });
    await c('PUT', `/v0/switch/${DEMO.switchName}/port/${port}`);
    await c('POST', `/v0/switch/${DEMO.switchName}/port/${port}/connect_nic`, { node: n.name, nic: DEMO.nic });
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

/** What to try in the real lab, printed once it is ready; `image` is the base image a headnode can boot, if any. */
export function realDemoText(dir: string, lab: RealDemoLab, image: string | null): string {
  const member = join(dir, `${DEMO.user}.conf`);
  const admin = join(dir, `${DEMO.admin}.conf`);
  const [n1, n2, n3] = lab.nodes;
  if (!n1 || !n2 || !n3) throw new Error(`the real lab needs at least ${MIN_REAL_NODES} nodes`);
  const last = lab.nodes[lab.nodes.length - 1]!;
  const headnode = image === null
    ? `No headnode: no base image was given. To boot one, put a QEMU disk image NAME.qcow2 in a directory (e.g. Debian's
cloud image debian-12-nocloud-amd64.qcow2 from https://cloud.debian.org/images/cloud/bookworm/latest/), install
qemu-system-x86 and qemu-utils, and start the lab with: haas demo --real --images DIR (QEMU on TCG boots slowly).
`
    : `A headnode on the provisioning network (base image "${image}"; QEMU on TCG boots slowly):
  haas headnode images
  haas headnode create hn1 ${DEMO.project} ${image}
  haas headnode hnic create hn1 eth0
  haas headnode connect-network hn1 eth0 provisioning
  haas headnode start hn1
  haas headnode console hn1               # watch it boot; Ctrl-] to leave
`;
  return `haas demo --real: a throwaway lab of real parts in ${dir}
  switch ${DEMO.switchName}: Open vSwitch bridge ${lab.ovs.bridge} in namespace ${lab.ovs.switchNs}, driven by the ovs driver
  nodes node1..node${lab.nodes.length}: namespaces ${n1.ns}..${last.ns}, eth0 cabled to ports ${n1.port}..${last.port},
    addresses ${n1.ip}..${last.ip}/24, each with an ipmi_sim BMC driven by the ipmi driver
  project "${DEMO.project}" with member "${DEMO.user}", and an admin "${DEMO.admin}".
A port on no network is isolated: no node reaches another until haas puts them on one network.

Try, in another terminal (as root for the ping lines):
  export HAAS_CLIENT_CONFIG=${member}     # you are ${DEMO.user}; ${admin} is the admin
  haas node list free
  haas project connect-node ${DEMO.project} node1
  haas project connect-node ${DEMO.project} node2
  haas project connect-node ${DEMO.project} node3
  haas network create provisioning --owner ${DEMO.project} --access ${DEMO.project}
  haas network create other --owner ${DEMO.project} --access ${DEMO.project}
  haas node connect-network node1 ${DEMO.nic} provisioning --wait
  haas node connect-network node2 ${DEMO.nic} provisioning --wait
  haas node connect-network node3 ${DEMO.nic} other --wait
  ip netns exec ${n1.ns} ping -c 2 -W 1 ${n2.ip}     # node1 -> node2, same network: answers
  ip netns exec ${n1.ns} ping -c 2 -W 1 ${n3.ip}     # node1 -> node3, another network: no answer
  OVS_RUNDIR=${lab.ovs.rundir} ovs-vsctl show     # the VLAN tags haas set on the ports
  haas node obm enable node1
  haas node power on node1
  haas node power status node1
  haas node console node1                 # Ctrl-] to leave
  haas audit --node node1
  HAAS_CLIENT_CONFIG=${admin} haas switch verify ${DEMO.switchName}

${headnode}
Ctrl-C here stops the daemon, the BMCs and Open vSwitch, and removes the namespaces and ${dir}.
`;
}

/** `haas demo`. */
export class DemoCommand extends Command {
  static override paths = [['demo']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'run a throwaway lab (mock switch and BMCs, or real ones with --real) to try haas in; Ctrl-C removes it',
    details: `
      Starts a daemon on a new temporary directory (its database, socket and client config files), with a mock switch,
      mock BMCs, nodes cabled to the switch, a project and a member, all made through the API. It prints the commands
      to try. No root and no hardware needed: nothing outside the directory is touched. Ctrl-C or SIGTERM stops the
      daemon and removes the directory. Your own config files and HAAS_* settings are not used.

      With \`--real\` (root; apt-get install openvswitch-switch openipmi ipmitool iputils-ping) the lab is made of real
      parts: Open vSwitch in its own network namespace (the \`ovs\` driver), a network namespace per node cabled to
      a bridge port, and an ipmi_sim BMC per node (the \`ipmi\` driver). It prints the \`ip netns exec ... ping\` lines
      that show isolation: nodes on one network reach each other, a node on another does not. With \`--images DIR\`
      (QEMU installed: qemu-system-x86 qemu-utils), headnodes boot from the base images in DIR. Every name it makes
      starts with one random prefix; Ctrl-C removes the namespaces, processes and directory.
    `,
    examples: [['A lab of 4 nodes', 'haas demo'], ['A larger one', 'haas demo --nodes 12'], ['Real parts (root)', 'sudo haas demo --real'],
      ['Real parts and a headnode', 'sudo haas demo --real --images /var/lib/haas/images']],
  });
  nodes = Option.String('--nodes', '4', { description: `how many nodes (1 to ${MAX_NODES}; with --real ${MIN_REAL_NODES} to ${MAX_REAL_NODES})` });
  real = Option.Boolean('--real', false, { description: 'real parts: Open vSwitch, node namespaces, ipmi_sim BMCs (root)' });
  images = Option.String('--images', { description: 'with --real: a directory of base images to boot headnodes from (QEMU)' });

  async execute(): Promise<number> {
    const [min, max] = this.real ? [MIN_REAL_NODES, MAX_REAL_NODES] : [1, MAX_NODES];
    const nodes = Number(this.nodes);
    if (!/^\d+$/.test(this.nodes) || nodes < min || nodes > max) {
      this.context.stderr.write(`haas: --nodes: expected a whole number from ${min} to ${max}, got "${this.nodes}"\n`);
      return 2;
    }
    if (this.images !== undefined && !this.real) {
      this.context.stderr.write('haas: --images: only with --real (the mock lab boots no headnodes)\n');
      return 2;
    }
    let image: string | null = null;
    if (this.real) {
      const { realDemoRefusal } = await import('./demo-real.js');
      const refusal = realDemoRefusal(this.images !== undefined);
      if (refusal !== null) { this.context.stderr.write(`haas: demo: ${refusal}\n`); return 1; }
      if (this.images !== undefined) {
        image = listImages(this.images)[0] ?? null;
        if (image === null) { this.context.stderr.write(`haas: demo: --images: no base image (NAME.qcow2, .raw or .img) in ${this.images}\n`); return 1; }
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'haas-demo-'));
    try {
      if (this.real) return await this.runReal(dir, nodes, image);
      return await this.run(dir, mockParts(nodes), '', demoText(dir, nodes));
    } catch (e) {
      this.context.stderr.write(`haas: demo: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Build the real lab (a Ctrl-C meanwhile stops the build), serve it, and take it down whatever happens. */
  private async runReal(dir: string, nodes: number, image: string | null): Promise<number> {
    let interrupted = false;
    const interrupt = () => { interrupted = true; };
    // Listened to until the end, not only during the build: removing the last listener drops a signal that arrived
    // during synchronous work and was not yet delivered, which the daemon's own listener must still get.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, interrupt);
    try {
      const { startRealDemoLab } = await import('./demo-real.js');
      const lab = await startRealDemoLab(dir, nodes, () => interrupted);
      try {
        if (interrupted) return 130;
        // The ovs driver without a hostname runs ovs-vsctl here: OVS_RUNDIR points it at the lab's database.
        process.env.OVS_RUNDIR = lab.ovs.rundir;
        const headnode = this.images === undefined ? '' : [
          '[headnode]', `image_dir = ${resolve(this.images)}`, `run_dir = ${join(dir, 'headnodes')}`, 'backend = ovs',
          `ovs_bridge = ${lab.ovs.bridge}`, `ovs_db = unix:${join(lab.ovs.rundir, 'db.sock')}`, `bridge_netns = ${lab.ovs.switchNs}`, '',
        ].join('\n');
        return await this.run(dir, realParts(lab), headnode, realDemoText(dir, lab, image));
      } finally {
        await lab.stop();
        // A console still open on a BMC ends with it: its exit is recorded in the directory, removed next.
        await consolesEnded(join(dir, 'console-children.json'));
      }
    } finally {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.off(sig, interrupt);
    }
  }

  /** Serve the lab from `dir` (config `extraConfig` added), seed it with `parts`, print `text`; resolves when stopped. */
  private async run(dir: string, parts: DemoParts, extraConfig: string, text: string): Promise<number> {
    const socket = join(dir, 'haas.sock');
    const configFile = join(dir, 'haas.conf');
    // Everything under the directory; no drift checks to log about while the user plays.
    writeFileSync(configFile, `[server]\nstate_dir = ${dir}\ndb = ${join(dir, 'haas.db')}\nsocket = ${socket}\nauth = database\n\n[drift]\ninterval = off\n\n${extraConfig}`);
    // A clean environment: the user's HAAS_CONFIG, HAAS_DB, ... must not reach the demo's daemon.
    const config = resolveConfig({ config: configFile }, {});
    const adminPassword = randomBytes(12).toString('base64url');
    const userPassword = randomBytes(12).toString('base64url');
    const [{ openInventory }, { createUser }, { serve }] = await Promise.all([import('../db/inventory.js'), import('../core/users.js'), import('./serve.js')]);
    const inv = openInventory(config.db, { create: true });
    try { createUser({ inv }, DEMO.admin, adminPassword, true); } finally { inv.close(); }
    clientConfig(join(dir, `${DEMO.admin}.conf`), socket, DEMO.admin, adminPassword);
    clientConfig(join(dir, `${DEMO.user}.conf`), socket, DEMO.user, userPassword);
    const adminAuth = 'Basic ' + Buffer.from(`${DEMO.admin}:${adminPassword}`).toString('base64');
    let seeded: Promise<void> = Promise.resolve();
    const code = await serve(config, {
      ready: () => {
        seeded = seed(socket, adminAuth, userPassword, parts).then(
          () => { this.context.stdout.write(text); },
          (e: unknown) => {
            this.context.stderr.write(`haas: demo: seeding the lab failed: ${e instanceof Error ? e.message : String(e)}\n`);
            process.kill(process.pid, 'SIGTERM');
            throw e;
          });
      },
    });
    await seeded;
    await consolesEnded(join(dir, 'console-children.json'));
    return code;
  }
}

/**
 * Resolves once the daemon has recorded every console process it started as ended (or after 5 s): its shutdown ends
 * them without waiting, and their exit is written to `file`, which must still exist then.
 */
async function consolesEnded(file: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    let live: unknown = [];
    try { live = JSON.parse(readFileSync(file, 'utf8')); } catch { return; } // no console was ever started
    if (Array.isArray(live) && live.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
