// `haas export`: the inventory as the document `haas import` reads (docs/inventory-document.md),
// without secrets (a secret field is left out: add `<field>_file` to import it elsewhere) and
// without running state (users, reservations, leases, attachments).
import { storedFields, type FieldSpec, type FieldValues } from '../drivers/fields.js';
import { obmDriverFor } from '../drivers/obm/type-names.js';
import { switchDriverFor } from '../drivers/switch/type-names.js';
import { withoutCredentials } from '../uri-credentials.js';
import { requireAdmin } from './authz.js';
import type { Core, Principal } from './context.js';
import { projectLabelOf } from './lookup.js';
import { DOCUMENT_VERSION } from './inventory-doc.js';
import { allProjects } from '../db/store/projects.js';
import { allSwitches, portLabelsOfSwitch } from '../db/store/switches.js';
import { allNodes, cabledNicsOfNode, metadataOfNode, nodeByLabel, type NodeRow } from '../db/store/nodes.js';
import { accessProjectLabels, allNetworks, networkByLabel } from '../db/store/networks.js';

/** A switch as exported: name, type, its non-secret fields, its ports in registration order. */
export interface ExportedSwitch { name: string; type: string; ports?: string[]; [field: string]: string | number | string[] | undefined }
/** A nic as exported, with its cabling when it has one. */
export interface ExportedNic { name: string; macaddr: string; switch?: string; port?: string }
/** A node as exported. */
export interface ExportedNode {
  name: string;
  obm?: { type: string } & FieldValues;
  obmd?: { uri: string };
  metadata?: Record<string, unknown>;
  nics?: ExportedNic[];
}
/** A network as exported: net_id for admin networks (project networks always take theirs from the pool). */
export interface ExportedNetwork { name: string; owner: string; net_id?: number; access?: string[] }
/** The exported document. */
export interface ExportedInventory {
  version: number;
  projects: string[];
  switches: ExportedSwitch[];
  nodes: ExportedNode[];
  networks: ExportedNetwork[];
}

/** The fields worth writing: no secret, and no value that is the driver's default (when the driver is known). */
function shownFields(values: FieldValues, spec: Record<string, FieldSpec> | undefined): FieldValues {
  const out: FieldValues = {};
  for (const [k, v] of Object.entries(values)) {
    const f = spec && Object.hasOwn(spec, k) ? spec[k] : undefined;
    if (f?.secret || (f !== undefined && f.default === v)) continue;
    // Without the driver haas cannot tell a secret: nothing but what every driver calls one is written.
    if (!spec && /password|secret|key|token|community/i.test(k)) continue;
    out[k] = v;
  }
  return out;
}

function exportNode(core: Core, node: NodeRow): ExportedNode {
  const out: ExportedNode = { name: node.label };
  if (node.obm_type !== null && node.obm_config !== null) {
    const spec = obmDriverFor(core.obmDrivers, node.obm_type)?.fields;
    out.obm = { type: node.obm_type, ...shownFields(storedFields(node.obm_config), spec) };
  } else if (node.obmd_uri !== null) {
    out.obmd = { uri: withoutCredentials(node.obmd_uri) };
  }
  const metadata = metadataOfNode(core.inv, node.id);
  if (metadata.length > 0) out.metadata = Object.fromEntries(metadata.map((m) => [m.label, JSON.parse(m.value) as unknown]));
  const nics = cabledNicsOfNode(core.inv, node.id).map((n): ExportedNic => (n.switch !== null && n.port !== null
    ? { name: n.label, macaddr: n.macaddr, switch: n.switch, port: n.port } : { name: n.label, macaddr: n.macaddr }));
  if (nics.length > 0) out.nics = nics;
  return out;
}

/** The inventory as a document (admin): projects, switches, nodes and networks sorted by name; never a secret. */
export function exportInventory(core: Core, p: Principal): ExportedInventory {
  requireAdmin(p);
  const { inv } = core;
  const switches = allSwitches(inv).map((sw): ExportedSwitch => {
    const spec = switchDriverFor(core.switchDrivers, sw.type)?.fields;
    const ports = portLabelsOfSwitch(inv, sw.id);
    return { name: sw.label, type: sw.type, ...shownFields(storedFields(sw.config), spec), ...(ports.length > 0 ? { ports } : {}) };
  });
  const nodes = allNodes(inv).map((label) => exportNode(core, nodeByLabel(inv, label)!));
  const networks = allNetworks(inv).map(({ label }): ExportedNetwork => {
    const net = networkByLabel(inv, label)!;
    const owner = net.owner_id === null ? 'admin' : projectLabelOf(inv, net.owner_id);
    const access = accessProjectLabels(inv, net.id);
    return { name: label, owner, ...(owner === 'admin' ? { net_id: net.net_id } : {}), ...(access.length > 0 ? { access } : {}) };
  });
  return { version: DOCUMENT_VERSION, projects: allProjects(inv), switches, nodes, networks };
}
