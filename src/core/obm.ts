// Out-of-band management of nodes: enabling the OBM, power, boot device and
// console, either through an in-process driver or by redirecting to obmd.
import type { Readable } from 'node:stream';
import { BadArgumentError, BlockedError, OBMError, ApiError, messageOf } from '../errors.js';
import { BOOT_DEVICES, type BootDevice, type ObmSession } from '../drivers/obm/types.js';
import { obmDriverFor } from '../drivers/obm/type-names.js';
import { storedFields } from '../drivers/fields.js';
import { requireProjectAccess } from './authz.js';
import type { Core, Principal } from './context.js';
import { mustNode } from './lookup.js';
import { disableObmdNode, enableObmdNode, setNodeObmEnabled, type NodeRow } from '../db/store/nodes.js';
import { withoutCredentials } from '../uri-credentials.js';
import { auditUser, recordObmOperation } from './obm-audit.js';
import { currentCall, resumeCall } from './audit.js';
import type { AuditedOperation } from '../db/store/obm-audit.js';
import { publishObmChange } from './events.js';

/** An OBM call's outcome: a value from an in-process driver, or a 307 to obmd. */
export type ObmOutcome<T> = { redirect: string } | { value: T };

/** Enable or disable a node's OBM (project access). Idempotent; obmd tokens are fetched/revoked. */
export async function setObmEnabled(core: Core, p: Principal, label: string, enabled: boolean): Promise<void> {
  const call = currentCall(core.inv);
  const node = mustNode(core.inv, label);
  requireProjectAccess(p, node.project_id);
  if (node.obmd_uri) {
    if (enabled) {
      const token = await core.obmd.fetchToken(node);
      resumeCall(core.inv, call, () => enableObmdNode(core.inv, node.id, token));
      publishObmChange(core.inv, label, { change: 'obm', enabled });
      return;
    }
    if (node.obm_enabled) await core.obmd.revokeToken(node);
    resumeCall(core.inv, call, () => disableObmdNode(core.inv, node.id));
  } else {
    setNodeObmEnabled(core.inv, node.id, enabled);
  }
  if (!enabled) core.consoles.end(label);
  publishObmChange(core.inv, label, { change: 'obm', enabled });
}

function enabledNode(core: Core, p: Principal, label: string): NodeRow {
  const node = mustNode(core.inv, label);
  requireProjectAccess(p, node.project_id);
  if (!node.obm_enabled) throw new BlockedError('The OBM of the node is disabled; enable it first.');
  return node;
}

function session(core: Core, node: NodeRow): ObmSession {
  const driver = node.obm_type ? obmDriverFor(core.obmDrivers, node.obm_type) : undefined;
  if (!driver || !node.obm_config) throw new BlockedError(`the OBM driver "${node.obm_type}" of node "${node.label}" is not enabled in this daemon`);
  return driver.open(node.label, storedFields(node.obm_config));
}

async function deviceCall<T>(node: NodeRow, what: string, fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new OBMError(`${what} of node "${node.label}" failed: ${messageOf(e)}`);
  }
}

/** Run one OBM operation on an enabled node: redirect for obmd, else through the driver. */
async function obmOp<T>(core: Core, p: Principal, label: string, path: string, fn: (s: ObmSession) => Promise<T>): Promise<ObmOutcome<T>> {
  const node = enabledNode(core, p, label);
  if (node.obmd_uri) return { redirect: `${withoutCredentials(node.obmd_uri)}/${path}?token=${encodeURIComponent(node.obmd_node_token ?? '')}` };
  const s = session(core, node);
  return { value: await deviceCall(node, path, () => fn(s)) };
}

/** obmOp for an operation that changes the node (power, boot device): its outcome goes to the audit trail. */
async function auditedOp(core: Core, p: Principal, label: string, operation: AuditedOperation, argument: string | null,
  fn: (s: ObmSession) => Promise<void>): Promise<ObmOutcome<void>> {
  const entry = { user: auditUser(p), node: label, operation, argument };
  const call = currentCall(core.inv);
  let outcome: ObmOutcome<void>;
  try {
    outcome = await obmOp(core, p, label, operation, fn);
  } catch (e) {
    // Only attempts that reached the device (502) are audited; refusals (401, 404, 409) changed nothing.
    if (e instanceof OBMError) recordObmOperation(core, { ...entry, result: 'error', message: e.message }, call);
    throw e;
  }
  recordObmOperation(core, { ...entry, result: 'redirect' in outcome ? 'redirect' : 'ok', message: null }, call);
  if (!('redirect' in outcome)) publishObmChange(core.inv, label, { change: 'power', call: operation });
  return outcome;
}

/** Power the node on (audited); obmd nodes: a 307 to obmd. */
export const powerOn = (core: Core, p: Principal, n: string) => auditedOp(core, p, n, 'power_on', null, (s) => s.powerOn());
/** Power the node off (audited); obmd nodes: a 307 to obmd. */
export const powerOff = (core: Core, p: Principal, n: string) => auditedOp(core, p, n, 'power_off', null, (s) => s.powerOff());
/** Power-cycle the node, hard with `force` (audited); obmd nodes: a 307 to obmd. */
export const powerCycle = (core: Core, p: Principal, n: string, force: boolean) =>
  auditedOp(core, p, n, 'power_cycle', force ? 'force' : null, (s) => s.powerCycle(force));
/** The node's power state as its BMC reports it; obmd nodes: a 307 to obmd. */
export const powerStatus = (core: Core, p: Principal, n: string) =>
  obmOp(core, p, n, 'power_status', async (s) => ({ power_status: await s.powerStatus() }));

/** Set the boot device; in-process OBMs accept pxe, disk and none (obmd validates its own). */
export function setBootdev(core: Core, p: Principal, n: string, bootdev: string) {
  return auditedOp(core, p, n, 'boot_device', bootdev, (s) => {
    if (!BOOT_DEVICES.includes(bootdev as BootDevice)) {
      throw new BadArgumentError(`"${bootdev}" is not a boot device (expected ${BOOT_DEVICES.join(', ')})`);
    }
    return s.setBootdev(bootdev as BootDevice);
  });
}

/** The node's console stream (recent output first); a new viewer replaces the old one. */
export async function openConsole(core: Core, p: Principal, label: string): Promise<ObmOutcome<Readable>> {
  return obmOp(core, p, label, 'console', (s) => core.consoles.view(label, () => s.console()));
}
