// The SSH host keys of switches (admin only): the fingerprint on record is
// checked by the SSH-based drivers before every login. The first key seen is
// recorded (trust on first use) unless an admin gave one; a switch that
// presents another key is refused, and the key stays refused until an admin
// accepts it. Drivers never touch the inventory: the worker hands them the
// recorded fingerprint and these functions as callbacks.
import { BadArgumentError, IllegalStateError } from '../errors.js';
import { requireAdmin } from './authz.js';
import { now, type Core, type Principal } from './context.js';
import { recordSystemEvent } from './audit.js';
import { mustSwitch } from './lookup.js';
import { hostKeyOf, recordFirstHostKey as recordFirstKey, recordRefusedHostKey as recordRefusedKey, setHostKeyByAdmin } from '../db/store/switches.js';

/** OpenSSH's SHA-256 fingerprint as `ssh-keygen -lf` prints it: 32 bytes, unpadded base64. */
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** GET /switch/<s>/host_key: the key on record (null: none yet), how and when it was recorded, and the last key refused. */
export interface HostKeyInfo {
  switch: string;
  fingerprint: string | null;
  origin: 'first-use' | 'admin' | null;
  recorded_at: string | null;
  refused: string | null;
}

function checkFingerprint(fp: string): string {
  // ssh-keygen never pads; a copy from elsewhere may carry base64's "=".
  const f = fp.trim().replace(/=$/, '');
  if (!FINGERPRINT.test(f)) {
    throw new BadArgumentError(`"${fp}" is not an OpenSSH SHA-256 fingerprint (SHA256: and 43 base64 characters, as "ssh-keyscan HOST | ssh-keygen -lf -" prints it)`);
  }
  return f;
}

/** The host key on record for a switch (admin). */
export function showHostKey(core: Core, p: Principal, label: string): HostKeyInfo {
  requireAdmin(p);
  const sw = mustSwitch(core.inv, label);
  return {
    switch: sw.label,
    fingerprint: sw.host_key,
    origin: sw.host_key_origin,
    recorded_at: sw.host_key_recorded_at,
    refused: sw.host_key_refused,
  };
}

function record(core: Core, switchId: number, fingerprint: string): void {
  setHostKeyByAdmin(core.inv, switchId, fingerprint, now());
}

/** Give a switch's host key (admin): before its first login, or to replace the one on record. */
export function setHostKey(core: Core, p: Principal, label: string, fingerprint: string): HostKeyInfo {
  requireAdmin(p);
  const fp = checkFingerprint(fingerprint);
  core.inv.tx(() => record(core, mustSwitch(core.inv, label).id, fp));
  core.log.info(`switch "${label}": SSH host key set to ${fp} by ${p.user ?? 'an admin'}`);
  return showHostKey(core, p, label);
}

/** Accept the key the switch presented and that was refused (admin); any other fingerprint is refused (409). */
export function acceptHostKey(core: Core, p: Principal, label: string, fingerprint: string): HostKeyInfo {
  requireAdmin(p);
  const fp = checkFingerprint(fingerprint);
  core.inv.tx(() => {
    const sw = mustSwitch(core.inv, label);
    if (sw.host_key_refused === null) {
      throw new IllegalStateError(`switch "${label}" has presented no refused host key${sw.host_key ? ` (recorded: ${sw.host_key})` : ''}; to give a key, set it`);
    }
    if (sw.host_key_refused !== fp) {
      throw new IllegalStateError(`switch "${label}" last presented ${sw.host_key_refused}, not ${fp}; nothing was accepted`);
    }
    record(core, sw.id, fp);
  });
  core.log.info(`switch "${label}": new SSH host key ${fp} accepted by ${p.user ?? 'an admin'}`);
  return showHostKey(core, p, label);
}

/** Record a switch's first host key unless one is on record (trust on first use); returns the fingerprint on record. */
export function recordFirstHostKey(core: Pick<Core, 'inv' | 'log'>, switchId: number, fingerprint: string): string {
  const { inv } = core;
  const { recorded, row } = inv.tx(() => {
    const first = { recorded: recordFirstKey(inv, switchId, fingerprint, now()), row: hostKeyOf(inv, switchId) };
    if (first.recorded && first.row) {
      recordSystemEvent(inv, { operation: 'switch_host_key_first_use', outcome: 'ok', detail: { switch: first.row.label, fingerprint } });
    }
    return first;
  });
  // A switch deleted meanwhile: nothing to protect any more.
  if (!row) return fingerprint;
  if (recorded) core.log.info(`switch "${row.label}": first SSH host key recorded: ${fingerprint}`);
  return row.host_key ?? fingerprint;
}

/** Note a host key a switch presented that differs from the one on record. */
export function recordRefusedHostKey(core: Pick<Core, 'inv' | 'log'>, switchId: number, fingerprint: string): void {
  const sw = hostKeyOf(core.inv, switchId);
  if (!sw) return;
  core.log.error(`switch "${sw.label}": SSH host key refused: recorded ${sw.host_key}, presented ${fingerprint}`);
  recordRefusedKey(core.inv, switchId, fingerprint);
}
