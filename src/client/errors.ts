// Errors raised by the API client: the server's {"type","msg"} answers, and transport failures.

/** The daemon answered with an error: carries the HTTP status and the server's `type` and `msg`. */
export class ApiCallError extends Error {
  constructor(readonly status: number, readonly type: string, readonly msg: string) {
    super(`${type}: ${msg}`);
    this.name = 'ApiCallError';
  }
}

/** The daemon could not be reached, or did not answer in time. */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}
