// Reference servers for the benchmark, each run in its own child process on 127.0.0.1.
//
//   node --import tsx bench/refserver.ts const BODIES.json   constant bodies (the transport ceiling):
//        BODIES.json maps "node" / "free" / "networks" to the body text answered for
//        GET /v0/node/<any>, GET /v0/nodes/free and GET /v0/networks.
//   node --import tsx bench/refserver.ts query DB            the same SQLite queries and JSON shape as
//        haas's show_node / list_nodes free / list_networks (admin view) on a copy of haas's
//        database, opened readonly, with prepared statements.
//
// Prints "listening <port>" on stdout once it serves.
import { createServer, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

type Handler = (path: string) => [number, string];

const JSON_TYPE = 'application/json';

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const notFound = (msg: string): [number, string] => [404, JSON.stringify({ type: 'NotFoundError', msg })];

function constHandler(file: string): Handler {
  const bodies = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const node = bodies.node ?? '{}';
  const free = bodies.free ?? '[]';
  const networks = bodies.networks ?? '{}';
  return (path) => {
    if (path.startsWith('/v0/node/')) return [200, node];
    if (path === '/v0/nodes/free') return [200, free];
    if (path === '/v0/networks') return [200, networks];
    return notFound('no such route');
  };
}

interface NodeRow { id: number; label: string; project: string | null }
interface NicRow { id: number; label: string; macaddr: string; port: string | null; switch: string | null }
interface AttRow { nic_id: number; channel: string; network: string }
interface MetaRow { label: string; value: string }
interface NetRow { id: number; label: string; net_id: number }
interface AccessRow { network_id: number; project: string }

function queryHandler(dbFile: string): Handler {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  const nodeByLabel = db.prepare<[string], NodeRow>(
    `SELECT node.id, node.label, project.label AS project
       FROM node LEFT JOIN project ON project.id = node.project_id
      WHERE node.label = ?`);
  const nicsOfNode = db.prepare<[number], NicRow>(
    `SELECT nic.id, nic.label, nic.macaddr, port.label AS port, switch.label AS switch
       FROM nic LEFT JOIN port ON port.id = nic.port_id LEFT JOIN switch ON switch.id = port.switch_id
      WHERE nic.node_id = ? ORDER BY nic.id`);
  const attsOfNode = db.prepare<[number], AttRow>(
    `SELECT attachment.nic_id, attachment.channel, network.label AS network
       FROM attachment JOIN nic ON nic.id = attachment.nic_id JOIN network ON network.id = attachment.network_id
      WHERE nic.node_id = ?`);
  const metaOfNode = db.prepare<[number], MetaRow>(
    'SELECT label, value FROM node_metadata WHERE node_id = ? ORDER BY id');
  const freeNodes = db.prepare<[], { label: string }>(
    'SELECT label FROM node WHERE project_id IS NULL ORDER BY label').pluck();
  const allNetworks = db.prepare<[], NetRow>('SELECT id, label, net_id FROM network ORDER BY label');
  const allAccess = db.prepare<[], AccessRow>(
    `SELECT network_access.network_id, project.label AS project
       FROM network_access JOIN project ON project.id = network_access.project_id
      ORDER BY project.label`);

  function showNode(label: string): [number, string] {
    const node = nodeByLabel.get(label);
    if (!node) return notFound(`node ${label} not found`);
    const nics = nicsOfNode.all(node.id);
    const byNic = new Map<number, Record<string, string>>();
    for (const a of attsOfNode.all(node.id)) {
      let m = byNic.get(a.nic_id);
      if (!m) { m = {}; byNic.set(a.nic_id, m); }
      m[a.channel] = a.network;
    }
    const metadata: Record<string, string> = {};
    for (const m of metaOfNode.all(node.id)) metadata[m.label] = m.value;
    return [200, JSON.stringify({
      name: node.label,
      project: node.project,
      nics: nics.map((n) => ({
        label: n.label, macaddr: n.macaddr, networks: byNic.get(n.id) ?? {}, port: n.port, switch: n.switch,
      })),
      metadata,
    })];
  }

  function listNetworks(): [number, string] {
    const access = new Map<number, string[]>();
    for (const a of allAccess.all()) {
      const l = access.get(a.network_id);
      if (l) l.push(a.project); else access.set(a.network_id, [a.project]);
    }
    const out: Record<string, { network_id: string; projects: string[] | null }> = {};
    for (const n of allNetworks.all()) out[n.label] = { network_id: String(n.net_id), projects: access.get(n.id) ?? null };
    return [200, JSON.stringify(out)];
  }

  return (path) => {
    if (path.startsWith('/v0/node/')) {
      const rest = path.slice('/v0/node/'.length);
      if (rest.includes('/')) return notFound('no such route');
      return showNode(decodeURIComponent(rest));
    }
    if (path === '/v0/nodes/free') return [200, JSON.stringify(freeNodes.all())];
    if (path === '/v0/networks') return listNetworks();
    return notFound('no such route');
  };
}

const [mode, arg] = process.argv.slice(2);
if (!arg || (mode !== 'const' && mode !== 'query')) {
  process.stderr.write('usage: refserver.ts const BODIES.json | query DB\n');
  process.exit(2);
}
const handler = mode === 'const' ? constHandler(arg) : queryHandler(arg);
const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  req.resume();
  if (req.method !== 'GET') { send(res, 405, JSON.stringify({ type: 'MethodNotAllowed', msg: 'GET only' })); return; }
  const [status, body] = handler(path);
  send(res, status, body);
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.on('SIGTERM', () => { server.close(); process.exit(0); });
