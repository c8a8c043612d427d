// Switches and their ports, and the cabling of nics to ports (admin only).
import { BadArgumentError, BlockedError, DuplicateError, NotFoundError } from '../errors.js';
import { validateFields } from '../drivers/fields.js';
import { switchDriverFor, switchTypeName } from '../drivers/switch/type-names.js';
import type { SwitchDriver } from '../drivers/switch/types.js';
import { requireAdmin } from './authz.js';
import type { Core, Principal } from './context.js';
import { assertAbsent, mustNic, mustNode, mustPort, mustSwitch } from './lookup.js';
import { switchByLabel, type SwitchRow } from '../db/store/switches.js';
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
    core.inv.run('INSERT INTO switch (label, type, config) VALUES (?, ?, ?)', label, name, JSON.stringify(values));
  });
}

export function deleteSwitch(core: Core, p: Principal, label: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const sw = mustSwitch(core.inv, label);
    if (core.inv.get('SELECT 1 FROM port WHERE switch_id = ?', sw.id)) throw new BlockedError(`Switch "${label}" has ports; delete them first`);
    core.inv.run('DELETE FROM switch WHERE id = ?', sw.id);
  });
}

export function listSwitches(core: Core, p: Principal): string[] {
  requireAdmin(p);
  return core.inv.column<string>('SELECT label FROM switch ORDER BY label');
}

/** {name, ports (registration order), capabilities}; never a credential. */
export function showSwitch(core: Core, p: Principal, label: string) {
  requireAdmin(p);
  const sw = mustSwitch(core.inv, label);
  const ports = core.inv.column<string>('SELECT label FROM port WHERE switch_id = ? ORDER BY id', sw.id);
  const caps = switchDriverFor(core.switchDrivers, sw.type)?.capabilities ?? [];
  return { name: sw.label, ports: ports.map((l) => ({ label: l })), capabilities: [...caps] };
}

export function registerPort(core: Core, p: Principal, switchLabel: string, port: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const sw = mustSwitch(core.inv, switchLabel);
    driverOf(core, sw).validatePortName(port);
    assertAbsent(core.inv.get('SELECT 1 FROM port WHERE switch_id = ? AND label = ?', sw.id, port), 'port', port);
    core.inv.run('INSERT INTO port (switch_id, label) VALUES (?, ?)', sw.id, port);
  });
}

export function deletePort(core: Core, p: Principal, switchLabel: string, port: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const pt = mustPort(core.inv, mustSwitch(core.inv, switchLabel), port);
    if (core.inv.get('SELECT 1 FROM nic WHERE port_id = ?', pt.id)) throw new BlockedError(`Port "${port}" is connected to a nic; detach it first`);
    core.inv.run('DELETE FROM port WHERE id = ?', pt.id);
  });
}

/** {"node","nic","networks"} of the nic cabled to the port, or {}. */
export function showPort(core: Core, p: Principal, switchLabel: string, port: string) {
  requireAdmin(p);
  const pt = mustPort(core.inv, mustSwitch(core.inv, switchLabel), port);
  const nic = core.inv.get<{ id: number; label: string; node: string }>(
    'SELECT nic.id, nic.label, node.label AS node FROM nic JOIN node ON node.id = nic.node_id WHERE nic.port_id = ?', pt.id);
  if (!nic) return {};
  const networks = Object.fromEntries(core.inv.all<{ channel: string; network: string }>(
    'SELECT a.channel, n.label AS network FROM attachment a JOIN network n ON n.id = a.network_id WHERE a.nic_id = ? ORDER BY a.id', nic.id)
    .map((a) => [a.channel, a.network]));
  return { node: nic.node, nic: nic.label, networks };
}

/** Record that a nic is cabled to a port. */
export function connectNic(core: Core, p: Principal, switchLabel: string, port: string, nodeLabel: string, nicLabel: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const pt = mustPort(core.inv, mustSwitch(core.inv, switchLabel), port);
    const nic = mustNic(core.inv, mustNode(core.inv, nodeLabel), nicLabel);
    if (nic.port_id !== null) throw new DuplicateError(`nic "${nicLabel}" of node "${nodeLabel}" is already connected to a port`);
    if (core.inv.get('SELECT 1 FROM nic WHERE port_id = ?', pt.id)) throw new DuplicateError(`port "${port}" is already connected to a nic`);
    core.inv.run('UPDATE nic SET port_id = ? WHERE id = ?', pt.id, nic.id);
  });
}

/** Remove the cabling of a port; the node must be free. */
export function detachNic(core: Core, p: Principal, switchLabel: string, port: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const pt = mustPort(core.inv, mustSwitch(core.inv, switchLabel), port);
    const nic = core.inv.get<{ id: number; project_id: number | null }>(
      'SELECT nic.id, node.project_id FROM nic JOIN node ON node.id = nic.node_id WHERE nic.port_id = ?', pt.id);
    if (!nic) throw new NotFoundError(`port "${port}" is not connected to a nic`);
    if (nic.project_id !== null) throw new BlockedError('The node of this port is in a project; detach it from the project first');
    if (nicHasPendingAction(core.inv, nic.id)) {
      throw new BlockedError('A networking operation is already active on the nic.');
    }
    core.inv.run('UPDATE nic SET port_id = NULL WHERE id = ?', nic.id);
  });
}
