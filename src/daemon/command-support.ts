// What the daemon's commands share: resolving the configuration, opening the
// inventory, and turning a failure into a message and an exit code.
// Relative modules are imported lazily (esbuild bundles them; the client CLI does not pay for them);
// built-in and external modules are imported statically: a single executable cannot import() them.
import { ConfigError, resolveConfig, type ServeFlags } from '../config.js';

/** The daemon configuration from these flags, the environment and the config file. */
export function configOf(flags: ServeFlags) {
  return resolveConfig(flags);
}

/** Print a config/database problem and give exit code 2 (config) or 1. */
export async function reportingErrors(fn: () => Promise<number>): Promise<number> {
  try { return await fn(); } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`haas: ${e.message}\n`); return 2; }
    process.stderr.write(`haas: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** Open the inventory named by --db / --config (or the default). */
export async function inventoryAt(db: string | undefined, configFile: string | undefined) {
  const config = configOf({ db, config: configFile });
  const { openInventory } = await import('../db/inventory.js');
  return { inv: openInventory(config.db), config };
}

