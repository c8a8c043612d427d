// The API session of a switch driver's end-to-end test, as the daemon's default caller:
// nodes with one nic `eth0`, each cabled to a switch port and reserved in one project,
// put on networks and taken off them through queued actions, and `switch verify`.
import assert from 'node:assert/strict';
import { waitAction, type Daemon } from './daemon.js';
import { caller, ok, type Call } from './fixtures.js';

/** What a switch test does through the API; every helper asserts the daemon's success answer. */
export interface SwitchApi {
  /** One request under /v0 (no credentials). */
  call: Call;
  /** Register `port` on `sw` and node `node` with nic eth0 cabled to it, reserved in the project. */
  addNode(sw: string, port: string, node: string): Promise<void>;
  /** Queue connect/detach of `node`'s eth0 (on `channel`, if given, for connect); returns the status id. */
  queue(node: string, op: 'connect' | 'detach', network: string, channel?: string): Promise<string>;
  /** Queue the action and wait for it to be DONE (the message shows its details when it is not). */
  apply(node: string, op: 'connect' | 'detach', network: string, channel?: string): Promise<void>;
  /** The body of GET /networking_action/<id>/details. */
  details(id: string): Promise<any>;
  /** The networks (channel -> network) of `node`'s first nic. */
  networksOf(node: string): Promise<Record<string, string>>;
  /** The body of switch verify (GET), or of verify --fix (POST) when `fix`. */
  verify(sw: string, fix?: boolean): Promise<any>;
}

/** A SwitchApi on the daemon `daemon()` returns at call time, whose nodes go into `project` (which the test creates). */
export function switchApi(daemon: () => Daemon, project = 'lab'): SwitchApi {
  const call = caller(daemon);
  const enc = encodeURIComponent;
  const details = async (id: string) => ok(await call('GET', `/networking_action/${id}/details`)).json;
  const queue = async (node: string, op: 'connect' | 'detach', network: string, channel?: string): Promise<string> => {
    const body = op === 'connect' && channel ? { network, channel } : { network };
    return ok(await call('POST', `/node/${node}/nic/eth0/${op}_network`, body), 202).json.status_id;
  };
  return {
    call,
    details,
    queue,
    async addNode(sw, port, node) {
      ok(await call('PUT', `/switch/${sw}/port/${enc(port)}`));
      ok(await call('PUT', `/node/${node}`, { obm: { type: 'mock', host: `${node}-bmc`, user: 'u', password: 'p' } }));
      ok(await call('PUT', `/node/${node}/nic/eth0`, { macaddr: `${node}-mac` }));
      ok(await call('POST', `/switch/${sw}/port/${enc(port)}/connect_nic`, { node, nic: 'eth0' }));
      ok(await call('POST', `/project/${project}/connect_node`, { node }));
    },
    async apply(node, op, network, channel) {
      const id = await queue(node, op, network, channel);
      const a = await waitAction(daemon(), id);
      assert.equal(a.status, 'DONE', `${op} ${node} ${network}: ${a.status}: ${JSON.stringify(a.status === 'ERROR' ? await details(id) : a)}`);
    },
    async networksOf(node) { return ok(await call('GET', `/node/${node}`)).json.nics[0].networks; },
    async verify(sw, fix = false) {
      return ok(fix ? await call('POST', `/switch/${sw}/verify`, { fix: true }) : await call('GET', `/switch/${sw}/verify`)).json;
    },
  };
}
