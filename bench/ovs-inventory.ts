// What the OVS-over-SSH benchmarks share: a daemon's inventory for one `ovs` switch reached over the
// lab's sshd, with one node per port, each node's nic cabled to its port and reserved into project
// "bench", and a public network "net" (VLAN 500) to connect them to.
import type { OvsLab } from '../test/lab/ovs.js';
import type { LabSshd } from '../test/lab/sshd.js';
import type { Daemon } from '../test/lib/daemon.js';

/** An API call to the daemon that throws on any answer but 2xx and returns the JSON body. */
export type BenchCall = (method: string, path: string, body?: unknown) => Promise<any>;

/** Register switch "sw" (ovs over `sshd`), nodes n0.. on `ports`, project "bench" and network "net"; returns the call helper. */
export async function ovsSwitchInventory(d: Daemon, lab: OvsLab, sshd: LabSshd, ports: string[]): Promise<BenchCall> {
  const call: BenchCall = async (method, path, body) => {
    const r = await d.request(method, `/v0${path}`, { body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };
  await call('PUT', '/switch/sw', { type: 'ovs', ovs_bridge: lab.bridge, hostname: sshd.host, port: sshd.port, username: sshd.username, password: sshd.password });
  await call('PUT', '/project/bench');
  await call('PUT', '/network/net', { owner: 'admin', access: '', net_id: '500' });
  for (const [i, port] of ports.entries()) {
    await call('PUT', `/switch/sw/port/${port}`);
    await call('PUT', `/node/n${i}`, { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } });
    await call('PUT', `/node/n${i}/nic/eth0`, { macaddr: `m${i}` });
    await call('POST', `/switch/sw/port/${port}/connect_nic`, { node: `n${i}`, nic: 'eth0' });
    await call('POST', '/project/bench/connect_node', { node: `n${i}` });
  }
  return call;
}
