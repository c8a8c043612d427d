// Node consoles as core uses them (src/core/obm.ts opens one, moving a node
// ends it): the daemon gives core a hub (src/daemon/console-hub.ts).
import type { Readable } from 'node:stream';

/**
 * The one console viewer per node: a new viewer ends the old one; the node's
 * console session is shared across viewers and keeps its recent output.
 */
export interface ConsoleHub {
  /**
   * A new viewer's stream of the node's console: the recent output first, then
   * live bytes. Opens the session with `open` unless one runs; rejects if it
   * fails before its first bytes. The previous viewer's stream ends.
   */
  view(node: string, open: () => Readable): Promise<Readable>;
  /** End the node's viewer and session and forget its recent output (node leaves its project, OBM disabled). */
  end(node: string): void;
}
