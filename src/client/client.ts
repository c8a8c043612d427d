// Typed client of haas's REST API (HIL v0, SPEC.md section 3): one method per API call.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiCallError, ConnectionError } from './errors.js';
import { Transport, apiError, type TransportOptions } from './transport.js';
import type {
  HeadnodeInfo, NetworkAttachments, NetworkInfo, NetworkList, NetworkingAction, NetworkingActionDetails, NodeInfo, ObmAuditEntry, AuditPage, AuditQuery, NodeRegistration,
  PortInfo, PowerStatus, StatusId, SwitchInfo, SwitchVerifyReport, UserList, WhoAmI, HostKeyInfo,
} from './types.js';
import type { ConsoleMode, ProjectQuota, QuotaChanges } from './types.js';
import type { DriftInfo, LeaseChange, LeaseInfo, SwitchDriftInfo, SwitchLearnOptions, SwitchLearnReport } from './types.js';
import type { InventoryDocument, InventoryImportReport, InventoryImportRequest } from './types.js';
import type { NodeDetail, NodeDetailsPage, NodeDetailsQuery, SwitchDetails } from './types.js';
import type { ReleasedConsoleLog } from './types.js';
import type { PortManageResult, SwitchDiscovery, SwitchImportReport, SwitchImportRequest } from './types.js';

/** Build a path from literal parts and labels; labels are percent-encoded (port names contain `/`). */
function p(strings: TemplateStringsArray, ...labels: string[]): string {
  return strings.reduce((acc, s, i) => acc + s + (i < labels.length ? encodeURIComponent(labels[i] ?? '') : ''), '');
}

/** Options of waitNetworkingAction. */
export interface WaitOptions {
  /** Called after every poll (progress display). */
  onPoll?: (action: NetworkingAction, elapsedMs: number) => void;
  intervalMs?: number;
  /** Give up after this long (ConnectionError); default 10 minutes. */
  timeoutMs?: number;
}

/** A client of one haas (or HIL) daemon. Every method throws ApiCallError for an error answer. */
export class HaasClient {
  private readonly transport: Transport;

  constructor(opts: TransportOptions) {
    this.transport = new Transport(opts);
  }

  /** Perform one call and return its parsed JSON answer (undefined for an empty body). */
  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.transport.call(method, path, body);
    if (res.status < 200 || res.status >= 300) throw apiError(res.status, res.body, res.redirectedTo);
    if (res.body.trim() === '') return undefined as T;
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new ConnectionError(`${method} ${path}: the answer from ${this.transport.endpointText} is not JSON: ${res.body.slice(0, 200)}`);
    }
  }

  // ---- projects (3.1)
  listProjects(): Promise<string[]> { return this.call('GET', '/projects'); }
  projectCreate(project: string): Promise<void> { return this.call('PUT', p`/project/${project}`); }
  projectDelete(project: string): Promise<void> { return this.call('DELETE', p`/project/${project}`); }
  projectConnectNode(project: string, node: string): Promise<void> {
    return this.call('POST', p`/project/${project}/connect_node`, { node });
  }
  projectDetachNode(project: string, node: string): Promise<void> {
    return this.call('POST', p`/project/${project}/detach_node`, { node });
  }
  listProjectNodes(project: string): Promise<string[]> { return this.call('GET', p`/project/${project}/nodes`); }
  listProjectNetworks(project: string): Promise<string[]> { return this.call('GET', p`/project/${project}/networks`); }
  listProjectHeadnodes(project: string): Promise<string[]> { return this.call('GET', p`/project/${project}/headnodes`); }
  /** The project's limits, where each comes from, and its use (haas's extension). */
  projectQuota(project: string): Promise<ProjectQuota> { return this.call('GET', p`/project/${project}/quota`); }
  /** Change some of the project's limits (admin; haas's extension); returns the quota as it now is. */
  projectSetQuota(project: string, changes: QuotaChanges): Promise<ProjectQuota> {
    return this.call('PUT', p`/project/${project}/quota`, changes);
  }
  /** Every project's quota (admin; haas's extension). */
  listQuotas(): Promise<ProjectQuota[]> { return this.call('GET', '/quotas'); }

  // ---- leases (haas extension, docs/leases.md)
  showLease(node: string): Promise<LeaseInfo> { return this.call('GET', p`/node/${node}/lease`); }
  setLease(node: string, change: LeaseChange): Promise<LeaseInfo> { return this.call('PUT', p`/node/${node}/lease`, change); }
  /** The leases the caller may see, or those of one project. */
  listLeases(project?: string): Promise<LeaseInfo[]> {
    return this.call('GET', project === undefined ? '/leases' : p`/leases?project=${project}`);
  }

  // ---- bulk inventory (haas extension, docs/inventory-document.md)
  /** Import an inventory document (admin): its diff, applied unless `dry_run`. */
  inventoryImport(request: InventoryImportRequest): Promise<InventoryImportReport> { return this.call('POST', '/inventory/import', request); }
  /** The inventory as a document (admin), secrets left out. */
  inventoryExport(): Promise<InventoryDocument> { return this.call('GET', '/inventory/export'); }

  // ---- nodes (3.2)
  nodeRegister(node: string, registration: NodeRegistration): Promise<void> {
    return this.call('PUT', p`/node/${node}`, registration);
  }
  nodeDelete(node: string): Promise<void> { return this.call('DELETE', p`/node/${node}`); }
  nodeRegisterNic(node: string, nic: string, macaddr: string): Promise<void> {
    return this.call('PUT', p`/node/${node}/nic/${nic}`, { macaddr });
  }
  nodeDeleteNic(node: string, nic: string): Promise<void> { return this.call('DELETE', p`/node/${node}/nic/${nic}`); }
  /** `free` lists free nodes, `all` every node. */
  listNodes(which: 'free' | 'all'): Promise<string[]> { return this.call('GET', p`/nodes/${which}`); }
  showNode(node: string): Promise<NodeInfo> { return this.call('GET', p`/node/${node}`); }
  /** haas's extension: one page of the nodes the caller may see, with project, lease, OBM, power state and nics. */
  nodeDetailsPage(q: NodeDetailsQuery = {}): Promise<NodeDetailsPage> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.call('GET', qs === '' ? '/node_details' : `/node_details?${qs}`);
  }
  /** Every node of GET /node_details that matches, page after page. */
  async allNodeDetails(q: Omit<NodeDetailsQuery, 'after' | 'limit'> = {}): Promise<NodeDetail[]> {
    const all: NodeDetail[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.nodeDetailsPage({ ...q, after });
      all.push(...page.nodes);
      if (page.next === null) return all;
      after = page.next;
    }
  }
  nodeSetMetadata(node: string, label: string, value: unknown): Promise<void> {
    return this.call('PUT', p`/node/${node}/metadata/${label}`, { value });
  }
  nodeDeleteMetadata(node: string, label: string): Promise<void> {
    return this.call('DELETE', p`/node/${node}/metadata/${label}`);
  }
  nodeEnableDisableObm(node: string, enabled: boolean): Promise<void> {
    return this.call('PUT', p`/node/${node}/obm`, { enabled });
  }
  nodePowerCycle(node: string, force = false): Promise<void> {
    return this.call('POST', p`/node/${node}/power_cycle`, force ? { force } : undefined);
  }
  nodePowerOn(node: string): Promise<void> { return this.call('POST', p`/node/${node}/power_on`); }
  nodePowerOff(node: string): Promise<void> { return this.call('POST', p`/node/${node}/power_off`); }
  nodePowerStatus(node: string): Promise<PowerStatus> { return this.call('GET', p`/node/${node}/power_status`); }
  nodeSetBootdev(node: string, bootdev: string): Promise<void> {
    return this.call('PUT', p`/node/${node}/boot_device`, { bootdev });
  }
  /** The serial console's byte stream; it runs until destroyed by the caller or closed by the daemon. */
  showConsole(node: string): Promise<IncomingMessage> { return this.transport.stream('GET', p`/node/${node}/console`); }
  /**
   * The node's console log (haas's extension), one time-stamped line per console line: lines since `since`
   * (ISO time), then new ones as they come with `follow`; `log` reads a released log instead (admins).
   */
  nodeConsoleLog(node: string, opts: { since?: string; follow?: boolean; log?: string } = {}): Promise<IncomingMessage> {
    const q = new URLSearchParams();
    if (opts.since !== undefined) q.set('since', opts.since);
    if (opts.follow) q.set('follow', '1');
    if (opts.log !== undefined) q.set('log', opts.log);
    const query = q.toString();
    return this.transport.stream('GET', p`/node/${node}/console-log` + (query ? `?${query}` : ''));
  }
  /** The node's released console logs, of the projects that held it before (haas's extension; admins). */
  nodeReleasedConsoleLogs(node: string): Promise<ReleasedConsoleLog[]> { return this.call('GET', p`/node/${node}/console-logs`); }
  /**
   * A two-way session on the node's console (haas's extension: HTTP Upgrade on the console path); keys reach the
   * node only while it is the writer. An obmd node's console is obmd's: this rejects with status 307.
   */
  nodeConsoleSession(node: string, mode: ConsoleMode): Promise<Duplex> {
    return this.transport.upgrade(p`/node/${node}/console` + `?mode=${mode}`);
  }
  nodeConnectNetwork(node: string, nic: string, network: string, channel?: string): Promise<StatusId> {
    return this.call('POST', p`/node/${node}/nic/${nic}/connect_network`, channel === undefined ? { network } : { network, channel });
  }
  nodeDetachNetwork(node: string, nic: string, network: string): Promise<StatusId> {
    return this.call('POST', p`/node/${node}/nic/${nic}/detach_network`, { network });
  }
  showNetworkingAction(statusId: string): Promise<NetworkingAction> {
    return this.call('GET', p`/networking_action/${statusId}`);
  }
  /** haas's extension (not in HIL): the action with the device's message, its times, switch and port. */
  showNetworkingActionDetails(statusId: string): Promise<NetworkingActionDetails> {
    return this.call('GET', p`/networking_action/${statusId}/details`);
  }

  /** haas's OBM audit trail (admin), oldest first, optionally of one node. */
  listObmAudit(node?: string): Promise<ObmAuditEntry[]> {
    return this.call('GET', node === undefined ? '/obm_audit' : `/obm_audit?node=${encodeURIComponent(node)}`);
  }

  /** haas's audit trail, one page, newest first (admins: all; members: their projects' entries). */
  listAudit(q: AuditQuery = {}): Promise<AuditPage> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.call('GET', qs === '' ? '/audit' : `/audit?${qs}`);
  }

  /** Poll a networking action until it is DONE or ERROR, and return it. */
  async waitNetworkingAction(statusId: string, opts: WaitOptions = {}): Promise<NetworkingAction> {
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? 600_000;
    let interval = opts.intervalMs ?? 100;
    for (;;) {
      const action = await this.showNetworkingAction(statusId);
      const elapsed = Date.now() - started;
      opts.onPoll?.(action, elapsed);
      if (action.status !== 'PENDING') return action;
      if (elapsed > timeoutMs) {
        throw new ConnectionError(`networking action ${statusId} still PENDING after ${Math.round(elapsed / 1000)}s`);
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
      interval = Math.min(interval * 2, 1000);
    }
  }

  // ---- networks (3.3)
  /** owner: "admin" or a project; access: "" (public) or a project; netId: "" to allocate from the pool. */
  networkCreate(network: string, owner: string, access: string, netId: string): Promise<void> {
    return this.call('PUT', p`/network/${network}`, { owner, access, net_id: netId });
  }
  networkDelete(network: string): Promise<void> { return this.call('DELETE', p`/network/${network}`); }
  showNetwork(network: string): Promise<NetworkInfo> { return this.call('GET', p`/network/${network}`); }
  listNetworks(): Promise<NetworkList> { return this.call('GET', '/networks'); }
  /**
   * The networks the caller can use, in list_networks' shape: for an admin every network; for anyone
   * else the public ones (list_networks) and those of their projects (whoami, list_project_networks and
   * show_network). A daemon without whoami (HIL) gives list_networks alone.
   */
  async listVisibleNetworks(): Promise<NetworkList> {
    const [listed, me] = await Promise.all([this.listNetworks(), this.whoami().catch((e: unknown) => {
      if (e instanceof ApiCallError && e.status === 404) return null;
      throw e;
    })]);
    if (me === null || me.is_admin) return listed;
    const names = new Set((await Promise.all(me.projects.map((p) => this.listProjectNetworks(p)))).flat());
    const missing = [...names].filter((name) => !Object.hasOwn(listed, name));
    const shown = await Promise.all(missing.map((name) => this.showNetwork(name)));
    const all: NetworkList = { ...listed };
    for (const n of shown) {
      const vlan = n.channels.find((c) => c !== 'vlan/native')?.slice('vlan/'.length) ?? '';
      all[n.name] = { network_id: vlan, projects: n.access === null ? null : [...n.access].sort() };
    }
    return Object.fromEntries(Object.entries(all).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  listNetworkAttachments(network: string, project?: string): Promise<NetworkAttachments> {
    const query = project === undefined ? '' : `?project=${encodeURIComponent(project)}`;
    return this.call('GET', p`/network/${network}/attachments` + query);
  }
  networkGrantProjectAccess(network: string, project: string): Promise<void> {
    return this.call('PUT', p`/network/${network}/access/${project}`);
  }
  networkRevokeProjectAccess(network: string, project: string): Promise<void> {
    return this.call('DELETE', p`/network/${network}/access/${project}`);
  }

  // ---- switches and ports (3.4)
  /** fields: the driver's fields (hostname, username, password, ...). */
  switchRegister(name: string, type: string, fields: Record<string, unknown>): Promise<void> {
    return this.call('PUT', p`/switch/${name}`, { ...fields, type });
  }
  switchDelete(name: string): Promise<void> { return this.call('DELETE', p`/switch/${name}`); }
  listSwitches(): Promise<string[]> { return this.call('GET', '/switches'); }
  showSwitch(name: string): Promise<SwitchInfo> { return this.call('GET', p`/switch/${name}`); }
  /** haas's extension: show_switch with the driver type and host. */
  switchDetails(name: string): Promise<SwitchDetails> { return this.call('GET', p`/switch/${name}/details`); }
  switchRegisterPort(name: string, port: string): Promise<void> { return this.call('PUT', p`/switch/${name}/port/${port}`); }
  switchDeletePort(name: string, port: string): Promise<void> { return this.call('DELETE', p`/switch/${name}/port/${port}`); }
  showPort(name: string, port: string): Promise<PortInfo> { return this.call('GET', p`/switch/${name}/port/${port}`); }
  portConnectNic(name: string, port: string, node: string, nic: string): Promise<void> {
    return this.call('POST', p`/switch/${name}/port/${port}/connect_nic`, { node, nic });
  }
  portDetachNic(name: string, port: string): Promise<void> {
    return this.call('POST', p`/switch/${name}/port/${port}/detach_nic`);
  }
  portRevert(name: string, port: string): Promise<StatusId> {
    return this.call('POST', p`/switch/${name}/port/${port}/revert`);
  }
  /** The last periodic drift check of every switch, with the drift settings. */
  drift(): Promise<DriftInfo> {
    return this.call('GET', '/drift');
  }
  /** The last periodic drift check of one switch. */
  switchDrift(name: string): Promise<SwitchDriftInfo> {
    return this.call('GET', p`/switch/${name}/drift`);
  }
  /** Read the switch's ports back and compare with the inventory; `fix` re-applies the inventory to drifting ports. */
  switchVerify(name: string, fix = false): Promise<SwitchVerifyReport> {
    return fix ? this.call('POST', p`/switch/${name}/verify`, { fix: true }) : this.call('GET', p`/switch/${name}/verify`);
  }
  /** Learn the cabling from the switch's MAC table (haas's extension): a plan with GET; POST to apply it or to use a discovery VLAN. */
  switchLearn(name: string, opts: SwitchLearnOptions = {}): Promise<SwitchLearnReport> {
    if (opts.apply === true || opts.discovery_vlan !== undefined) return this.call('POST', p`/switch/${name}/learn`, opts);
    const query = opts.uplink_macs === undefined ? '' : `?uplink_macs=${opts.uplink_macs}`;
    return this.call('GET', p`/switch/${name}/learn` + query);
  }
  /** The switch's own interfaces with link, VLANs and inventory state (haas's extension). */
  switchDiscover(name: string): Promise<SwitchDiscovery> { return this.call('GET', p`/switch/${name}/discover`); }
  /** Register the switch's discovered ports, adopting running VLANs with `adopt` (haas's extension). */
  switchImport(name: string, req: SwitchImportRequest): Promise<SwitchImportReport> {
    return this.call('POST', p`/switch/${name}/import`, req);
  }
  /** Hand a port an import left unmanaged to haas (haas's extension). */
  portManage(name: string, port: string): Promise<PortManageResult> {
    return this.call('POST', p`/switch/${name}/port/${port}/manage`);
  }
  /** The switch's SSH host key on record (haas's extension). */
  switchHostKey(name: string): Promise<HostKeyInfo> { return this.call('GET', p`/switch/${name}/host_key`); }
  /** Give the switch's SSH host key: before its first login, or to replace the one on record. */
  switchSetHostKey(name: string, fingerprint: string): Promise<HostKeyInfo> {
    return this.call('PUT', p`/switch/${name}/host_key`, { fingerprint });
  }
  /** Accept the host key the switch presented and that was refused (its fingerprint, from the refusal). */
  switchAcceptHostKey(name: string, fingerprint: string): Promise<HostKeyInfo> {
    return this.call('POST', p`/switch/${name}/host_key/accept`, { fingerprint });
  }

  // ---- headnodes (3.5)
  headnodeCreate(headnode: string, project: string, baseImg: string): Promise<void> {
    return this.call('PUT', p`/headnode/${headnode}`, { project, base_img: baseImg });
  }
  headnodeDelete(headnode: string): Promise<void> { return this.call('DELETE', p`/headnode/${headnode}`); }
  headnodeStart(headnode: string): Promise<void> { return this.call('POST', p`/headnode/${headnode}/start`); }
  headnodeStop(headnode: string): Promise<void> { return this.call('POST', p`/headnode/${headnode}/stop`); }
  headnodeCreateHnic(headnode: string, hnic: string): Promise<void> {
    return this.call('PUT', p`/headnode/${headnode}/hnic/${hnic}`);
  }
  headnodeDeleteHnic(headnode: string, hnic: string): Promise<void> {
    return this.call('DELETE', p`/headnode/${headnode}/hnic/${hnic}`);
  }
  headnodeConnectNetwork(headnode: string, hnic: string, network: string): Promise<void> {
    return this.call('POST', p`/headnode/${headnode}/hnic/${hnic}/connect_network`, { network });
  }
  headnodeDetachNetwork(headnode: string, hnic: string): Promise<void> {
    return this.call('POST', p`/headnode/${headnode}/hnic/${hnic}/detach_network`);
  }
  showHeadnode(headnode: string): Promise<HeadnodeInfo> { return this.call('GET', p`/headnode/${headnode}`); }
  listHeadnodeImages(): Promise<string[]> { return this.call('GET', '/headnode_images/'); }
  /** haas's extension: the headnode's serial console (recent output, then live while it runs) as a byte stream. */
  /** The headnode's whole serial log, then with `follow` live output while it runs (haas's extension). */
  headnodeConsoleLog(headnode: string, follow = false): Promise<IncomingMessage> {
    return this.transport.stream('GET', p`/headnode/${headnode}/console-log` + (follow ? '?follow=1' : ''));
  }
  headnodeConsole(headnode: string): Promise<IncomingMessage> { return this.transport.stream('GET', p`/headnode/${headnode}/console`); }
  /** A two-way session on a running headnode's serial port (haas's extension: HTTP Upgrade on the console path); keys reach it only while it is the writer. */
  headnodeSerialSession(headnode: string, mode: ConsoleMode): Promise<Duplex> {
    return this.transport.upgrade(p`/headnode/${headnode}/console` + `?mode=${mode}`);
  }

  // ---- users (3.6, database auth only)
  listUsers(): Promise<UserList> { return this.call('GET', '/auth/basic/users'); }
  userCreate(user: string, password: string, isAdmin = false): Promise<void> {
    return this.call('PUT', p`/auth/basic/user/${user}`, { password, is_admin: isAdmin });
  }
  userDelete(user: string): Promise<void> { return this.call('DELETE', p`/auth/basic/user/${user}`); }
  userSetAdmin(user: string, isAdmin: boolean): Promise<void> {
    return this.call('PATCH', p`/auth/basic/user/${user}`, { is_admin: isAdmin });
  }
  userAddProject(user: string, project: string): Promise<void> {
    return this.call('POST', p`/auth/basic/user/${user}/add_project`, { project });
  }
  userRemoveProject(user: string, project: string): Promise<void> {
    return this.call('POST', p`/auth/basic/user/${user}/remove_project`, { project });
  }
  /** haas's extension: set a user's password (the user themself, or an admin). */
  userSetPassword(user: string, password: string): Promise<void> {
    return this.call('PUT', p`/user/${user}/password`, { password });
  }
  /** haas's extension: who the caller is, whether an admin, and their projects. */
  whoami(): Promise<WhoAmI> { return this.call('GET', '/whoami'); }

  // ---- extensions (3.7)
  listActiveExtensions(): Promise<string[]> { return this.call('GET', '/active_extensions'); }
}
