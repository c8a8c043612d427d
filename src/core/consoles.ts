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
  // --- console logging (issue 14): sessions kept open with no viewer, and every byte of every session.
  /**
   * Keep the node's session open (opening it with `open` unless one runs) while nobody watches;
   * viewers share it. Settles when that session is over: resolves when it ended or was ended,
   * rejects with its error if it failed.
   */
  keep(node: string, open: () => Readable): Promise<void>;
  /** Call `sink` with every chunk of output of every node's session, in order. */
  onOutput(sink: (node: string, chunk: Buffer) => void): void;
}
