// API errors: each class carries its HIL type name and HTTP status (SPEC.md section 2).
// They are mapped to HTTP in exactly one place (server/errors.ts).

/** Base of every error the API reports as `{"type", "msg"}`. */
export class ApiError extends Error {
  readonly type: string = 'ApiError';
  readonly status: number = 500;
}

function errorClass(type: string, status: number) {
  return class extends ApiError {
    override readonly type = type;
    override readonly status = status;
  };
}

/** 400: the body is not what the route takes (malformed, unknown/missing/wrong-typed fields). */
export class ValidationError extends errorClass('ValidationError', 400) {}
/** 400: semantically illegal arguments (network combination, channel, switch fields, ...). */
export class BadArgumentError extends errorClass('BadArgumentError', 400) {}
/** 401: missing or invalid credentials, or not allowed. */
export class AuthorizationError extends errorClass('AuthorizationError', 401) {}
/** 404: a named object does not exist. */
export class NotFoundError extends errorClass('NotFoundError', 404) {}
/** 405: the route exists but not with this method. */
export class MethodNotAllowedError extends errorClass('MethodNotAllowedError', 405) {}
/** 409: create of an existing label. */
export class DuplicateError extends errorClass('DuplicateError', 409) {}
/** 409: resources not in the same project, or no access to a network. */
export class ProjectMismatchError extends errorClass('ProjectMismatchError', 409) {}
/** 409: something else must change first. */
export class BlockedError extends errorClass('BlockedError', 409) {}
/**
 * 409 BlockedError: the call would take a project past one of its quotas. Its own class so that
 * the audit trail and logs can tell a quota refusal from other blocks; the API sees a BlockedError.
 */
export class QuotaExceededError extends BlockedError {
  /** `holding`: what the project holds, as in `holds 5 nodes`. */
  constructor(readonly project: string, readonly kind: string, readonly limit: number, readonly used: number, holding: string) {
    super(`project "${project}" ${holding}, ${used > limit ? 'more than its' : 'its'} limit (${kind} = ${limit}); ask an admin to raise it`);
  }
}
/** 409: not valid in this state. */
export class IllegalStateError extends errorClass('IllegalStateError', 409) {}
/** 409: no free VLAN in the pool. */
export class AllocationError extends errorClass('AllocationError', 409) {}
/** 502: a switch failed; the message carries the switch's own words. */
export class SwitchError extends errorClass('SwitchError', 502) {}
/** 502: a BMC or obmd failed; the message carries the device's own words. */
export class OBMError extends errorClass('OBMError', 502) {}
/** 502: the maintenance pool did not accept a node. */
export class MaintenancePoolError extends errorClass('MaintenancePoolError', 502) {}
/** 503: the inventory's storage failed (disk full, I/O error, read-only, locked, corrupt, replaced); the message says which. */
export class StorageError extends errorClass('StorageError', 503) {}
/** 413: the request body is too large. */
export class PayloadTooLargeError extends errorClass('PayloadTooLargeError', 413) {}

/** The message of any thrown value, for logs and action results. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
