// haas's lease routes (issue 13, docs/leases.md): a reserved node's end time.
import { BadArgumentError, ValidationError } from '../../errors.js';
import * as leases from '../../core/leases.js';
import { parseDuration } from '../../durations.js';
import { body, NO_BODY, type BodyOf } from '../body.js';
import { json, type Router } from '../router.js';

/** PUT /node/<n>/lease: exactly one of `for` (a duration) and `until` (an ISO time, or null for no end). */
const LEASE_CHANGE = body({}, { for: 'string', until: 'any' });

/** An ISO 8601 time with a date and a time of day (a bare date or a local time would be read in an unknown zone). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function change(b: BodyOf<typeof LEASE_CHANGE>): leases.LeaseChange {
  if ((b.for === undefined) === (b.until === undefined)) throw new ValidationError('Exactly one of "for" and "until" is required.');
  if (b.for !== undefined) {
    const ms = parseDuration(b.for);
    if (ms === null) throw new BadArgumentError(`"${b.for}" is not a duration (expected e.g. 90m, 4h or 7d).`);
    return { forMs: ms };
  }
  if (b.until === null) return { until: null };
  if (typeof b.until !== 'string' || !ISO_TIME.test(b.until) || Number.isNaN(Date.parse(b.until))) {
    throw new BadArgumentError('"until" must be an ISO 8601 time with its zone (e.g. 2026-05-01T18:00:00Z), or null for no end.');
  }
  return { until: new Date(b.until) };
}

/** Mount the lease routes on the router. */
export function leaseRoutes(r: Router): void {
  r.on('GET', '/node/:node/lease', NO_BODY, ({ core, p, params }) => json(leases.showLease(core, p, params.node!)));
  r.on('PUT', '/node/:node/lease', LEASE_CHANGE, ({ core, p, params, body: b }) => json(leases.setLease(core, p, params.node!, change(b))));
  r.on('GET', '/leases', NO_BODY, ({ core, p, query }) => json(leases.listLeases(core, p, query.project)), ['project']);
}
