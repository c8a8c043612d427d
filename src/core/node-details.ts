// The bulk node listing (haas's extension GET /node_details): every node the
// caller may see with what `node list --long` and the dashboard show, a page
// at a time. What a caller sees follows show_node: admins every node, anyone
// else the free nodes and those of their projects; switch and port only for admins.
import { BadArgumentError } from '../errors.js';
import { requireProjectAccess } from './authz.js';
import type { Core, Principal } from './context.js';
import { mustProject } from './lookup.js';
import {
  attachmentsOfNodes, lastPowerOfNodes, nicsOfNodes, nodeDetailsPage, type NodeDetailsFilter,
} from '../db/store/node-details.js';

/** The most nodes one page holds, and the size of a page when none is asked for. */
export const NODE_DETAILS_MAX_LIMIT = 1000;

/** What GET /node_details was asked: query parameters as given (validated here). */
export interface NodeDetailsQuery { project?: string; free?: string; limit?: string; after?: string }

/** A nic in the listing: its networks by channel; switch and port (null: uncabled) for admins only. */
export interface NodeDetailNicView {
  label: string;
  macaddr: string;
  networks: Record<string, string>;
  switch?: string | null;
  port?: string | null;
}

/** A node in the listing. */
export interface NodeDetailView {
  name: string;
  project: string | null;
  /** The lease's end (null: no end, or no lease) and state (null: the node is free). */
  lease: { ends_at: string | null; state: 'active' | 'expired, releasing' } | null;
  /** The OBM: its driver ("obmd" for a node behind obmd) and whether it is enabled. */
  obm: { type: string; enabled: boolean };
  /** The last power operation haas carried out successfully (on, off; a cycle leaves it on), or null if none is known. */
  power: { state: 'on' | 'off'; since: string } | null;
  nics: NodeDetailNicView[];
}

/** One page of the listing; `next` is the `after` of the following page, null on the last. */
export interface NodeDetailsPage { nodes: NodeDetailView[]; next: string | null }

function parseLimit(text: string | undefined): number {
  if (text === undefined) return NODE_DETAILS_MAX_LIMIT;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > NODE_DETAILS_MAX_LIMIT) {
    throw new BadArgumentError(`"limit" must be a whole number from 1 to ${NODE_DETAILS_MAX_LIMIT}, not "${text}".`);
  }
  return n;
}

function parseFree(text: string | undefined): boolean {
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw new BadArgumentError(`"free" must be "true" or "false", not "${text}".`);
}

/** A page of the nodes the caller may see, by label, with project, lease, OBM, last power state, nics and networks. */
export function listNodeDetails(core: Core, p: Principal, q: NodeDetailsQuery): NodeDetailsPage {
  const limit = parseLimit(q.limit);
  const free = parseFree(q.free);
  const filter: NodeDetailsFilter = { visibleProjectIds: p.admin ? null : [...p.projectIds], free, limit: limit + 1 };
  if (q.project !== undefined) {
    if (free) throw new BadArgumentError('"project" and "free=true" exclude each other: a free node is in no project.');
    const project = mustProject(core.inv, q.project);
    requireProjectAccess(p, project.id);
    filter.projectId = project.id;
  }
  if (q.after !== undefined) filter.after = q.after;
  const rows = nodeDetailsPage(core.inv, filter);
  const page = rows.slice(0, limit);
  const ids = page.map((r) => r.id);
  const nics = nicsOfNodes(core.inv, ids);
  const networks = new Map<number, Record<string, string>>();
  for (const a of attachmentsOfNodes(core.inv, ids)) {
    const forNic = networks.get(a.nic_id) ?? {};
    // Channels are "vlan/..." strings, never "__proto__": a plain object keeps HIL's networks shape.
    forNic[a.channel] = a.network;
    networks.set(a.nic_id, forNic);
  }
  const nicsByNode = new Map<number, NodeDetailNicView[]>();
  for (const n of nics) {
    const view: NodeDetailNicView = { label: n.label, macaddr: n.macaddr, networks: networks.get(n.id) ?? {} };
    if (p.admin) { view.switch = n.switch; view.port = n.port; }
    const list = nicsByNode.get(n.node_id) ?? [];
    list.push(view);
    nicsByNode.set(n.node_id, list);
  }
  const power = new Map(lastPowerOfNodes(core.inv, page.map((r) => r.label)).map((r) => [r.node, r]));
  const nodes = page.map((r): NodeDetailView => {
    const last = power.get(r.label);
    return {
      name: r.label,
      project: r.project,
      lease: r.lease_releasing === null ? null : { ends_at: r.lease_ends_at, state: r.lease_releasing ? 'expired, releasing' : 'active' },
      obm: { type: r.obmd ? 'obmd' : r.obm_type ?? 'obmd', enabled: r.obm_enabled },
      power: last ? { state: last.operation === 'power_off' ? 'off' : 'on', since: last.time } : null,
      nics: nicsByNode.get(r.id) ?? [],
    };
  });
  return { nodes, next: rows.length > limit ? page[page.length - 1]?.label ?? null : null };
}
