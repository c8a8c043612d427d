// The rule every name in the inventory follows (SPEC.md 1), checked at the HTTP edge and by the
// offline `haas admin create-user`, so that no way in can store a name the API could not reach.
import { BadArgumentError } from '../errors.js';

/** `label` itself if it is a legal name (non-empty, no "/", at most 255 characters); else a BadArgumentError naming `what`. */
export function checkLabel(what: string, label: string): string {
  if (label === '' || label.includes('/') || label.length > 255) {
    throw new BadArgumentError(`Invalid ${what} name "${label.slice(0, 60)}": names must be 1-255 characters without "/"`);
  }
  return label;
}
