// Headnodes (SPEC.md 3.5): a project's VMs, their hnics and networks. The
// inventory says what a headnode is; the headnode manager runs it. Changes
// to hnics are refused once a headnode has been started (HIL's "dirty").
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BadArgumentError, IllegalStateError, NotFoundError, ProjectMismatchError } from '../errors.js';
import { requireProjectAccess } from './authz.js';
import type { Core, Principal } from './context.js';
import type { HeadnodeVm } from './headnode-vms.js';
import { assertAbsent, mustNetwork, mustProject, projectLabelOf } from './lookup.js';
import { projectMayUse } from './networks.js';
import { enforceQuota } from './quotas.js';
import { currentCall, resumeCall } from './audit.js';
import { attachConsole, headnodeConsoleKey, sessionOf, type ConsoleAttachment, type ConsoleCaller, type ConsoleMode } from './consoles.js';
import {
  addHeadnode, addHnic, deleteHeadnode as removeHeadnode, deleteHnic as removeHnic, freezeHeadnode, headnodeByLabel,
  hnicOfHeadnode, hnicsOfHeadnode, hnicVlans, markHeadnodeDead, markHeadnodeExited, markHeadnodeRunning, markHeadnodeStopped,
  setHnicNetwork, startedHeadnodes, thawUnstartedHeadnode, type HeadnodeRow, type HnicRow,
} from '../db/store/headnodes.js';

function mustHeadnode(core: Core, label: string): HeadnodeRow {
  const h = headnodeByLabel(core.inv, label);
  if (!h) throw new NotFoundError(`headnode "${label}" does not exist`);
  return h;
}
function mustHnic(core: Core, h: HeadnodeRow, label: string): HnicRow {
  const r = hnicOfHeadnode(core.inv, h.id, label);
  if (!r) throw new NotFoundError(`hnic "${label}" of headnode "${h.label}" does not exist`);
  return r;
}
function refuseIfFrozen(h: HeadnodeRow): void {
  if (h.frozen) throw new IllegalStateError(`headnode "${h.label}" has been started; its hnics can no longer change`);
}

/** What the manager needs: the hnics in creation order with their networks' VLANs. */
function vmOf(core: Core, h: HeadnodeRow): HeadnodeVm {
  return { uuid: h.uuid, label: h.label, baseImg: h.base_img, hnics: hnicVlans(core.inv, h.id) };
}

/** Create a headnode of a project from a configured base image (project access). */
export function createHeadnode(core: Core, p: Principal, label: string, project: string, baseImg: string): void {
  if (!core.headnodes.hasImage(baseImg)) {
    throw new BadArgumentError(`Provided image "${baseImg}" is not a valid image (available: ${core.headnodes.images().join(', ') || 'none'})`);
  }
  core.inv.tx(() => {
    assertAbsent(headnodeByLabel(core.inv, label), 'headnode', label);
    const proj = mustProject(core.inv, project);
    requireProjectAccess(p, proj.id);
    enforceQuota(core, proj, 'headnodes');
    addHeadnode(core.inv, label, proj.id, randomUUID(), baseImg);
  });
}

/** Delete a headnode: stop its VM, delete its disk and hnics (project access). */
export async function deleteHeadnode(core: Core, p: Principal, label: string): Promise<void> {
  const h = mustHeadnode(core, label);
  requireProjectAccess(p, h.project_id);
  const call = currentCall(core.inv);
  await core.headnodes.destroy(vmOf(core, h));
  core.consoles.end(headnodeConsoleKey(label));
  resumeCall(core.inv, call, () => core.inv.tx(() => removeHeadnode(core.inv, h.id)));
}

/**
 * Start a headnode (project access). It is frozen first, so that its hnics
 * cannot change while QEMU starts; a first start that fails thaws it again.
 * Starting a running headnode changes nothing; a stopped one boots again.
 */
export async function startHeadnode(core: Core, p: Principal, label: string): Promise<void> {
  const { h, vm } = core.inv.tx(() => {
    const h = mustHeadnode(core, label);
    requireProjectAccess(p, h.project_id);
    freezeHeadnode(core.inv, h.id);
    return { h, vm: vmOf(core, h) };
  });
  let vncport: number | null;
  try {
    ({ vncport } = await core.headnodes.start(vm));
  } catch (e) {
    if (!h.frozen) thawUnstartedHeadnode(core.inv, h.id);
    throw e;
  }
  markHeadnodeRunning(core.inv, h.id, vncport);
}

/** Hard power off (project access); a headnode that does not run stays as it is. */
export async function stopHeadnode(core: Core, p: Principal, label: string): Promise<void> {
  const h = mustHeadnode(core, label);
  requireProjectAccess(p, h.project_id);
  const call = currentCall(core.inv);
  await core.headnodes.stop(vmOf(core, h));
  core.consoles.end(headnodeConsoleKey(label));
  resumeCall(core.inv, call, () => markHeadnodeStopped(core.inv, h.id));
}

/** Add an hnic to a headnode that has never been started (project access). */
export function createHnic(core: Core, p: Principal, headnode: string, label: string): void {
  core.inv.tx(() => {
    const h = mustHeadnode(core, headnode);
    requireProjectAccess(p, h.project_id);
    assertAbsent(hnicOfHeadnode(core.inv, h.id, label), 'hnic', label);
    refuseIfFrozen(h);
    addHnic(core.inv, h.id, label);
  });
}

/** Remove an hnic from a headnode that has never been started (project access). */
export function deleteHnic(core: Core, p: Principal, headnode: string, label: string): void {
  core.inv.tx(() => {
    const h = mustHeadnode(core, headnode);
    requireProjectAccess(p, h.project_id);
    const nic = mustHnic(core, h, label);
    refuseIfFrozen(h);
    removeHnic(core.inv, nic.id);
  });
}

/**
 * Put an hnic on a network, untagged, replacing any network it was on. Only
 * networks whose VLAN came from the pool, and only with access (HIL's order
 * of checks).
 */
export function connectHnic(core: Core, p: Principal, headnode: string, hnic: string, network: string): void {
  const { inv } = core;
  inv.tx(() => {
    const h = mustHeadnode(core, headnode);
    const nic = mustHnic(core, h, hnic);
    const net = mustNetwork(inv, network);
    if (!net.allocated) throw new BadArgumentError('Headnodes may only be connected to networks allocated by the project.');
    requireProjectAccess(p, h.project_id);
    if (!projectMayUse(core, net, h.project_id)) {
      throw new ProjectMismatchError(`Project does not have access to the given network "${network}"`);
    }
    refuseIfFrozen(h);
    setHnicNetwork(inv, nic.id, net.id);
  });
}

/** Take an hnic off its network (succeeds when it is on none). */
export function detachHnic(core: Core, p: Principal, headnode: string, hnic: string): void {
  core.inv.tx(() => {
    const h = mustHeadnode(core, headnode);
    const nic = mustHnic(core, h, hnic);
    requireProjectAccess(p, h.project_id);
    refuseIfFrozen(h);
    setHnicNetwork(core.inv, nic.id, null);
  });
}

/** show_headnode plus its status; vncport only while it runs. */
export function showHeadnode(core: Core, p: Principal, label: string) {
  const h = mustHeadnode(core, label);
  requireProjectAccess(p, h.project_id);
  // The foreign key keeps a headnode's project.
  const project = projectLabelOf(core.inv, h.project_id);
  const hnics = hnicsOfHeadnode(core.inv, h.id);
  return {
    name: h.label, project, hnics, vncport: h.status === 'running' ? h.vncport : null,
    uuid: h.uuid, base_img: h.base_img, status: h.status,
  };
}

/** Sorted base images (any authenticated caller). */
export function listHeadnodeImages(core: Core): string[] {
  return core.headnodes.images();
}

/**
 * A session on the headnode's serial console (project access): recent output (earlier boots' too),
 * then live while it runs, shared with every other viewer; with mode write or force it may be the
 * writer (src/core/consoles.ts), which needs a running headnode. Audited.
 */
export async function headnodeConsole(core: Core, caller: ConsoleCaller, label: string, mode: ConsoleMode): Promise<ConsoleAttachment> {
  const h = mustHeadnode(core, label);
  requireProjectAccess(caller.p, h.project_id);
  if (mode !== 'read-only' && !core.headnodes.running(h.uuid)) throw new IllegalStateError(`headnode "${label}" is not running`);
  const neverRan = () => new IllegalStateError(`headnode "${label}" has never been started; it has no console output`);
  // The first follower doubles as the check; the hub uses it if it opens the session now.
  let unused: Readable | null = core.headnodes.console(h.uuid);
  if (!unused) throw neverRan();
  const open = () => {
    const output = unused ?? core.headnodes.console(h.uuid);
    unused = null;
    if (!output) throw neverRan();
    const session = sessionOf(output, () => core.headnodes.attachSerial(h.uuid));
    // The hub hands a session out on its first bytes: a headnode that has printed nothing yet still opens.
    session.push(`[serial console of headnode ${label}]\r\n`);
    return session;
  };
  try {
    return await attachConsole(core, caller, { key: headnodeConsoleKey(label), projects: [projectLabelOf(core.inv, h.project_id)] }, open, mode);
  } finally {
    unused?.destroy();
  }
}

/** The headnode's whole serial log, then with `follow` live output while it runs (project access). */
export function headnodeConsoleLog(core: Core, p: Principal, label: string, follow: boolean): Readable {
  const h = mustHeadnode(core, label);
  requireProjectAccess(p, h.project_id);
  const stream = core.headnodes.consoleLog(h.uuid, follow);
  if (!stream) throw new IllegalStateError(`headnode "${label}" has never been started; it has no console output`);
  return stream;
}

/** A VM ended without a stop call: the guest powered off ("stopped") or QEMU died ("dead"). */
export function headnodeExited(core: Pick<Core, 'inv' | 'log'>, uuid: string, kind: 'stopped' | 'dead'): void {
  markHeadnodeExited(core.inv, uuid, kind);
  core.log.warn(`headnode ${uuid}: QEMU exited on its own (${kind === 'stopped' ? 'the guest powered off' : 'it died'})`);
}

/**
 * At daemon start: take back the QEMUs a previous daemon left running, and
 * mark those that died meanwhile. Only started headnodes can have a QEMU.
 */
export async function adoptHeadnodes(core: Core): Promise<void> {
  for (const h of startedHeadnodes(core.inv)) {
    try {
      const r = await core.headnodes.adopt(vmOf(core, h), h.status === 'running');
      if (r) markHeadnodeRunning(core.inv, h.id, r.vncport);
      else if (h.status === 'running') {
        markHeadnodeDead(core.inv, h.id);
        core.log.warn(`headnode ${h.label}: its QEMU died while the daemon was away; marked dead`);
      }
    } catch (e) {
      core.log.error(`headnode ${h.label}: cannot adopt its VM: ${(e as Error).message}`);
    }
  }
}
