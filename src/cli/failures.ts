// The failures a command reports on its own terms (not the API's, not a usage error): exit code 1.

/** A command ran but failed on its own terms (exit code 1); `type` names it as the API names its errors. */
export class CommandFailedError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
    this.name = type;
  }
}
