// Errors raised by the API client: the server's {"type","msg"} answers, and transport failures.

/** The daemon answered with an error: carries the HTTP status and the server's `type` and `msg`. */
export class ApiCallError extends Error {
  constructor(readonly status: number, readonly type: string, readonly msg: string) {
    super(`${type}: ${msg}`);
    this.name = 'ApiCallError';
  }
}

/** Why a connection failed, when it is one a caller can act on. */
export type ConnectionProblem =
  /** A unix socket that does not exist (ENOENT) or that nobody accepts on (ECONNREFUSED: a stale socket). */
  | 'no-daemon'
  /** TLS: the server's certificate chain is not trusted (self-signed, unknown CA, expired, ...). */
  | 'untrusted-certificate';

/** The daemon could not be reached, or did not answer in time. */
export class ConnectionError extends Error {
  constructor(message: string, readonly problem?: ConnectionProblem) {
    super(message);
    this.name = 'ConnectionError';
  }
}
