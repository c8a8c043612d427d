// Switches and their ports, and the cabling of nics to ports (admin only).
import { BadArgumentError, BlockedError, DuplicateError, NotFoundError } from '../errors.js';
import { validateFields } from '../drivers/fields.js';
import { switchDriverFor, switchTypeName } from '../drivers/switch/type-names.js';
import type { SwitchDriver } from '../drivers/switch/types.js';
import { requireAdmin } from './authz.js';
import type { Core, Principal } from './context.js';
import { assertAbsent, mustNic, mustNode, mustPort, mustSwitch } from './lookup.js';
import {
  addPort, addSwitch, cableNic, nicOnPort, portLabelsOfSwitch, portOfSwitch, removePort, removeSwitch, switchByLabel, switchHasPorts,
  switchLabels, uncableNic, type SwitchRow,
} from '../db/store/switches.js';
import { attachmentsOfNic } from '../db/store/attachments.js';
import { nicHasPendingAction } from '../db/store/actions.js';

/** The enabled driver of a switch row. */
export function driverOf(core: Core, sw: SwitchRow): SwitchDriver {
  const d = switchDriverFor(core.switchDrivers, sw.type);
  if (!d) throw new BlockedError(`the driver "${sw.type}" of switch "${sw.label}" is not enabled in this daemon`);
  return d;
}

/** Register a switch: type by short name or HIL URI, fields checked by its driver (admin). */
export function registerSwitch(core: Core, p: Principal, label: string, body: { type: string } & Record<string, unknown>): void {
  requireAdmin(p);
  const { type, ...fields } = body;
  core.inv.tx(() => {
    assertAbsent(switchByLabel(core.inv, label), 'switch', label);
    const name = switchTypeName(type);
    const driver = switchDriverFor(core.switchDrivers, type);
    if (!driver) throw new BadArgumentError(`"${type}" is not a valid switch type (enabled: ${Object.keys(core.switchDrivers).join(', ')})`);
    const values = validateFields(`switch type ${name}`, driver.fields, fields);
    driver.checkFields?.(values);
    addSwitch(core.inv, label, name, JSON.stringify(values));
  });
}

/** Delete a switch that has no ports (admin). */
export function deleteSwitch(core: Core, p: Principal, label: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const sw = mustSwitch(core.inv, label);
    if (switchHasPorts(core.inv, sw.id)) throw new BlockedError(`Switch "${label}" has ports; delete them first`);
    removeSwitch(core.inv, sw.id);
  });
}

/** The labels of every switch, sorted (admin). */
export function listSwitches(core: Core, p: Principal): string[] {
  requireAdmin(p);
  return switchLabels(core.inv);
}

/** {name, ports (registration order), capabilities}; never a credential. */
export function showSwitch(core: Core, p: Principal, label: string) {
  requireAdmin(p);
  const sw = mustSwitch(core.inv, label);
  const ports = portLabelsOfSwitch(core.inv, sw.id);
  const caps = switchDriverFor(core.switchDrivers, sw.type)?.capabilities ?? [];
  return { name: sw.label, ports: ports.map((l) => ({ label: l })), capabilities: [...caps] };
}

/** Register a port of a switch under a name its driver accepts (admin). */
export function registerPort(core: Core, p: Principal, switchLabel: string, port: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const sw = mustSwitch(core.inv, switchLabel);
    driverOf(core, sw).validatePortName(port);
    assertAbsent(portOfSwitch(core.inv, sw.id, port), 'port', port);
    addPort(core.inv, sw.id, port);
  });
}

/** Delete a port no nic is cabled to (admin). */
export function deletePort(core: Core, p: Principal, switchLabel: string, port: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const pt = mustPort(core.inv, mustSwitch(core.inv, switchLabel), port);
    if (nicOnPort(core.inv, pt.id)) throw new BlockedError(`Port "${port}" is connected to a nic; detach it first`);
    removePort(core.inv, pt.id);
  });
}

/** {"node","nic","networks"} of the nic cabled to the port, or {}. */
export function showPort(core: Core, p: Principal, switchLabel: string, port: string) {
  requireAdmin(p);
  const pt = mustPort(core.inv, mustSwitch(core.inv, switchLabel), port);
  const nic = nicOnPort(core.inv, pt.id);
  if (!nic) return {};
  const networks = Object.fromEntries(attachmentsOfNic(core.inv, nic.id).map((a) => [a.channel, a.network]));
  return { node: nic.node, nic: nic.label, networks };
}

/** Record that a nic is cabled to a port. */
export function connectNic(core: Core, p: Principal, switchLabel: string, port: string, nodeLabel: string, nicLabel: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const pt = mustPort(core.inv, mustSwitch(core.inv, switchLabel), port);
    const nic = mustNic(core.inv, mustNode(core.inv, nodeLabel), nicLabel);
    if (nic.port_id !== null) throw new DuplicateError(`nic "${nicLabel}" of node "${nodeLabel}" is already connected to a port`);
    if (nicOnPort(core.inv, pt.id)) throw new DuplicateError(`port "${port}" is already connected to a nic`);
    cableNic(core.inv, nic.id, pt.id);
  });
}

/** Remove the cabling of a port; the node must be free. */
export function detachNic(core: Core, p: Principal, switchLabel: string, port: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const pt = mustPort(core.inv, mustSwitch(core.inv, switchLabel), port);
    const nic = nicOnPort(core.inv, pt.id);
    if (!nic) throw new NotFoundError(`port "${port}" is not connected to a nic`);
    if (nic.project_id !== null) throw new BlockedError('The node of this port is in a project; detach it from the project first');
    if (nicHasPendingAction(core.inv, nic.id)) {
      throw new BlockedError('A networking operation is already active on the nic.');
    }
    uncableNic(core.inv, nic.id);
  });
}
