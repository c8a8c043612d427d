// The daemon's health for service managers and load balancers: whether the
// inventory database answers a query, with the versions a monitor wants.
import { messageOf } from '../errors.js';
import { VERSION } from '../version.js';
import type { Core } from './context.js';
import { recordedSchemaVersion } from '../db/inventory.js';

/** `GET /health`: ok with the haas and schema versions, or unavailable with the database's words. */
export type Health =
  | { status: 'ok'; version: string; schema_version: number }
  | { status: 'unavailable'; msg: string };

/** Ask the database for its schema version (a real query, never a cached answer). */
export function health(core: Pick<Core, 'inv'>): Health {
  try {
    const version = recordedSchemaVersion(core.inv);
    if (version === undefined) return { status: 'unavailable', msg: 'the database has no schema version' };
    return { status: 'ok', version: VERSION, schema_version: version };
  } catch (e) {
    return { status: 'unavailable', msg: `the database does not answer: ${messageOf(e)}` };
  }
}
