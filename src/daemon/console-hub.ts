// One console viewer per node: a new viewer, a detach from the project or a
// disabled OBM ends the current one.
import type { ConsoleHub } from '../core/context.js';

/** Make the daemon's console hub. */
export function createConsoleHub(): ConsoleHub & { endAll(): void } {
  const viewers = new Map<string, () => void>();
  return {
    attach(node, end) {
      viewers.get(node)?.();
      viewers.set(node, end);
      return () => { if (viewers.get(node) === end) viewers.delete(node); };
    },
    end(node) {
      const end = viewers.get(node);
      viewers.delete(node);
      end?.();
    },
    endAll() {
      for (const end of viewers.values()) end();
      viewers.clear();
    },
  };
}
