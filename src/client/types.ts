// Shapes of the API's answers and request bodies (SPEC.md section 3).

/** GET /node/<n>: one nic; `port`/`switch` are present for admins only (null when uncabled). */
export interface NicInfo {
  label: string;
  macaddr: string;
  networks: Record<string, string>;
  port?: string | null;
  switch?: string | null;
}

/** GET /node/<n>; metadata values are the JSON text of the stored values. */
export interface NodeInfo {
  name: string;
  project: string | null;
  nics: NicInfo[];
  metadata: Record<string, string>;
}

/** The in-process OBM of node_register, e.g. {type: "ipmi", host, user, password, port?}. */
export interface ObmSpec {
  type: string;
  [field: string]: unknown;
}

/** The obmd OBM of node_register. */
export interface ObmdSpec {
  uri: string;
  admin_token: string;
}

/** Body of node_register: exactly one of obm / obmd. */
export type NodeRegistration = ({ obm: ObmSpec } | { obmd: ObmdSpec }) & { metadata?: Record<string, unknown> };

/** GET /node/<n>/power_status. */
export interface PowerStatus {
  power_status: string;
}

/** Answer of connect/detach/revert: the networking action's id. */
export interface StatusId {
  status_id: string;
}

/** GET /networking_action/<id>. */
export interface NetworkingAction {
  status: 'PENDING' | 'DONE' | 'ERROR';
  node: string;
  nic: string;
  type: string;
  channel: string;
  new_network: string | null;
}

/** GET /networking_action/<id>/details (haas only): the action with the device's message and where it applies. */
export interface NetworkingActionDetails extends NetworkingAction {
  /** The device's words when the action ended in ERROR. */
  message: string | null;
  created_at: string | number | null;
  finished_at: string | number | null;
  switch: string | null;
  port: string | null;
}

/** One power or boot-device operation on a node's OBM (GET /obm_audit, haas's extension). */
export interface ObmAuditEntry {
  id: number;
  time: string;
  user: string;
  node: string;
  operation: 'power_on' | 'power_off' | 'power_cycle' | 'boot_device';
  argument: string | null;
  result: 'ok' | 'error' | 'redirect';
  message: string | null;
}

/** One entry of the audit trail (GET /audit, haas's extension). */
export interface AuditEntry {
  id: number;
  time: string;
  /** Failed logins: the last of the folded attempts (`count`); else equal to time. */
  last_time: string;
  count: number;
  actor: string | null;
  source: string;
  operation: string;
  outcome: 'ok' | 'refused' | 'error';
  status: number | null;
  error_type: string | null;
  node: string | null;
  network: string | null;
  projects: string[];
  detail: Record<string, string | number | boolean | null>;
}

/** One page of the audit trail, newest first; `next_before` asks for the next page (null: none). */
export interface AuditPage { entries: AuditEntry[]; next_before: number | null }

/** GET /audit's filters (each narrows) and paging. */
export interface AuditQuery {
  since?: string; until?: string; actor?: string; project?: string; node?: string; network?: string;
  operation?: string; outcome?: string; limit?: number; before?: number;
}

/** GET /network/<net>. */
export interface NetworkInfo {
  name: string;
  owner: string;
  access: string[] | null;
  channels: string[];
  'connected-nodes': Record<string, string[]>;
}

/** GET /networks: network label -> its VLAN id and access list (null when public). */
export type NetworkList = Record<string, { network_id: string | number; projects: string[] | null }>;

/** GET /network/<net>/attachments: node label -> the attachment. */
export type NetworkAttachments = Record<string, { nic: string; channel: string; project: string }>;

/** GET /switch/<s>. */
export interface SwitchInfo {
  name: string;
  ports: { label: string }[];
  capabilities: string[];
}

/** The VLANs of one port: native (or null) and tagged; `anomaly` says what else is wrong on the switch. */
export interface PortVlanState { native: number | null; tagged: number[]; anomaly?: string }

/** GET/POST /switch/<s>/verify: each registered port as the inventory expects it and as the switch has it. */
export interface SwitchVerifyReport {
  switch: string;
  ports: Record<string, { expected: PortVlanState; actual: PortVlanState }>;
  /** Ports whose switch configuration differs from the inventory (after the fix, with --fix). */
  drift: string[];
  /** With fix: the ports that were re-applied. */
  fixed?: string[];
  /** With fix: ports the switch refused to re-apply, with its words. */
  errors?: Record<string, string>;
}

/** GET/POST /switch/<s>/learn: what the switch's MAC table says of each nic's cabling (see src/core/learn.ts). */
export interface SwitchLearnReport {
  switch: string;
  entries: number;
  uplink_macs: number;
  not_node_ports: Record<string, string>;
  nics: Array<{
    node: string; nic: string; macaddr: string;
    status: 'connect' | 'connected' | 'in_place' | 'conflict' | 'not_seen';
    port?: string; register_port?: boolean; reason?: string;
  }>;
  applied: boolean;
  discovery?: { vlan: number; ports: string[]; errors?: Record<string, string> };
}

/** The options of a learn call (all optional; a discovery VLAN takes `wait` and `ports`). */
export interface SwitchLearnOptions { apply?: boolean; uplink_macs?: number; discovery_vlan?: number; wait?: number; ports?: string[] }

/** One drifting port in a drift check: the inventory's VLANs, the switch's, and what the check did. */
export interface PortDriftInfo {
  expected: PortVlanState;
  actual: PortVlanState;
  /** The port carried a VLAN its node's project may not use (or was open to every VLAN). */
  leak: boolean;
  state: 'reported' | 'repaired' | 'failed' | 'pending';
  error?: string;
}

/** GET /switch/<s>/drift: the last periodic drift check of a switch. */
export interface SwitchDriftInfo {
  switch: string;
  checked_at: string | null;
  result: 'ok' | 'drift' | 'error' | 'unchecked';
  ports: number;
  drift: Record<string, PortDriftInfo>;
  error?: string;
}

/** GET /drift: the drift settings (interval in seconds, 0 = off) and every switch's last check, sorted. */
export interface DriftInfo { interval: number; repair: boolean; switches: SwitchDriftInfo[] }

/** GET /switch/<s>/port/<port>: empty when no nic is cabled. */
export interface PortInfo {
  node?: string;
  nic?: string;
  networks?: Record<string, string>;
}

/** GET /headnode/<h>. */
export interface HeadnodeInfo {
  name: string;
  project: string;
  hnics: string[];
  vncport: number | null;
  uuid: string;
  base_img: string;
  /** haas's extension: created (never started), running, stopped or dead (its QEMU died). */
  status?: 'created' | 'running' | 'stopped' | 'dead';
}

/** GET /auth/basic/users: user name -> role and projects. */
export type UserList = Record<string, { is_admin: boolean; projects: string[] }>;

/** GET /whoami (haas's extension): the caller; `user` is null under `--auth null`, where everyone is admin. */
export interface WhoAmI {
  user: string | null;
  is_admin: boolean;
  projects: string[];
}

/** GET/PUT /switch/<s>/host_key (haas's extension): the switch's SSH host key on record (OpenSSH `SHA256:` fingerprints). */
export interface HostKeyInfo {
  switch: string;
  /** null: none yet, the first key seen is recorded. */
  fingerprint: string | null;
  origin: 'first-use' | 'admin' | null;
  recorded_at: string | null;
  /** The last other key the switch presented, refused until an admin accepts it. */
  refused: string | null;
}

/** One kind of a project's quota (haas's extension): limit (null = none), where it comes from, and the project's use. */
export interface QuotaLine {
  limit: number | null;
  /** default: the config's [quotas]; override: an admin's number; unlimited: an admin lifted the limit. */
  source: 'default' | 'override' | 'unlimited';
  used: number;
}

/** GET/PUT /project/<p>/quota, and each entry of GET /quotas (haas's extension). */
export interface ProjectQuota {
  project: string;
  nodes: QuotaLine;
  networks: QuotaLine;
  headnodes: QuotaLine;
}

/** PUT /project/<p>/quota: per kind a count, "unlimited", or null (back to the config's default); kinds left out keep theirs. */
export type QuotaChanges = Partial<Record<'nodes' | 'networks' | 'headnodes', number | 'unlimited' | null>>;
/** A lease (GET /v0/node/<n>/lease, haas extension): a reserved node's reservation and its end. */
export interface LeaseInfo {
  node: string;
  project: string;
  started_at: string;
  /** null: no end. */
  ends_at: string | null;
  /** The latest end a member may set; null: no maximum. */
  max_ends_at: string | null;
  state: 'active' | 'expired, releasing';
  release_error: string | null;
  warned_at: string | null;
}

/** A change of a lease's end: `{for: "4h"}`, `{until: "<ISO time>"}` or `{until: null}` (no end). */
export type LeaseChange = { for: string } | { until: string | null };

/** POST /v0/inventory/import's body (haas extension, docs/inventory-document.md). */
export interface InventoryImportRequest {
  /** The parsed document. */
  document: unknown;
  /** The secrets the document's `*_file` keys name, by file name as written in the document. */
  secrets: Record<string, string>;
  /** Files the document names that could not be read, with why. */
  unreadable: Record<string, string>;
  dry_run: boolean;
  /** The document's file name, to start each problem with. */
  source?: string;
}
/** One line of an import's diff. */
export interface InventoryChange { action: 'create' | 'update' | 'unchanged'; kind: string; name: string; fields?: string[] }
/** POST /v0/inventory/import's answer. */
export interface InventoryImportReport {
  dry_run: boolean;
  applied: boolean;
  counts: { create: number; update: number; unchanged: number };
  changes: InventoryChange[];
}
/** GET /v0/inventory/export's answer: the document, secrets left out. */
export type InventoryDocument = Record<string, unknown>;
/** GET /node_details: one nic with its networks; `switch`/`port` for admins only (null when uncabled). */
export interface NodeDetailNic {
  label: string;
  macaddr: string;
  networks: Record<string, string>;
  switch?: string | null;
  port?: string | null;
}

/** GET /node_details: one node with its project, lease, OBM, last known power state and nics. */
export interface NodeDetail {
  name: string;
  project: string | null;
  lease: { ends_at: string | null; state: string } | null;
  obm: { type: string; enabled: boolean };
  power: { state: 'on' | 'off'; since: string } | null;
  nics: NodeDetailNic[];
}

/** GET /node_details: a page of nodes; `next` is the `after` of the following page (null on the last). */
export interface NodeDetailsPage { nodes: NodeDetail[]; next: string | null }

/** The filters of GET /node_details. */
export interface NodeDetailsQuery { project?: string; free?: boolean; limit?: number; after?: string }

/** GET /switch/<s>/details: show_switch with the driver type and host (null: the haas host itself). */
export interface SwitchDetails extends SwitchInfo { type: string; host: string | null }
/** A previous project's console log of a node (GET /node/<n>/console-logs, haas's extension; admins). */
export interface ReleasedConsoleLog {
  name: string;
  project: string | null;
  released: string;
  bytes: number;
}
/** One interface of GET /switch/<s>/discover: the switch's view of it and the inventory's. */
export interface DiscoveredPortInfo {
  name: string;
  /** haas accepts the name as a port of this switch's driver. */
  valid: boolean;
  registered: boolean;
  /** Set when an import left the port for the admin to decide. */
  unmanaged: { since: string; found: string; reason: string } | null;
  link: 'up' | 'down' | 'unknown';
  native: number | null;
  tagged: number[];
  anomaly?: string;
}

/** GET /switch/<s>/discover: every interface the switch lists, in its order. */
export interface SwitchDiscovery { switch: string; interfaces: DiscoveredPortInfo[] }

/** The body of POST /switch/<s>/import. */
export interface SwitchImportRequest { ports?: string; adopt?: boolean; dry_run?: boolean }

/** POST /switch/<s>/import: what was (with dry_run: would be) registered, adopted and left for the admin. */
export interface SwitchImportReport {
  switch: string;
  dry_run: boolean;
  adopt: boolean;
  registered: string[];
  unchanged: string[];
  adopted: Array<{ port: string; node: string; nic: string; network: string; channel: string }>;
  left: Array<{ port: string; native: number | null; tagged: number[]; anomaly?: string; why: string }>;
}

/** POST /switch/<s>/port/<port>/manage: whether the port was unmanaged before. */
export interface PortManageResult { switch: string; port: string; was_unmanaged: boolean }
/** How an interactive console session asks to use the console (the `mode` query parameter of the upgrade). */
export type ConsoleMode = 'read-only' | 'write' | 'force';
