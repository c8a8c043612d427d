// The headnode manager's one error class: QEMU, qemu-img or the host's
// bridge failed; the message carries the tool's own words.
import { ApiError } from '../errors.js';

/** 502: a headnode's VM or its host networking failed. */
export class HeadnodeError extends ApiError {
  override readonly type = 'HeadnodeError';
  override readonly status = 502;
}
