// What the daemon's commands share: resolving the configuration, opening the
// inventory, and turning a failure into a message and an exit code.
// Relative modules are imported lazily (esbuild bundles them; the client CLI does not pay for them);
// built-in and external modules are imported statically: a single executable cannot import() them.
import { join, resolve } from 'node:path';
import { ConfigError, resolveConfig, type ServeFlags } from '../config.js';
import { defaultStateDir } from '../settings-files.js';

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

/**
 * Whether `db` is where `haas serve` keeps its database when nothing names one (the default
 * state directory): the one place an offline command may create an inventory without --init.
 */
export function isDefaultDb(db: string): boolean {
  return resolve(db) === resolve(join(defaultStateDir(), 'haas.db'));
}

/** Open the existing inventory at `file`; never creates one (a missing file is an error naming it). */
export async function existingInventory(file: string) {
  const { openInventory, NoDatabaseError } = await import('../db/inventory.js');
  try {
    return openInventory(file, { create: false });
  } catch (e) {
    if (e instanceof NoDatabaseError) throw new Error(missingDatabase(e.file));
    throw e;
  }
}

/** The message for a database that is not there: a mistyped path is the usual cause. */
export function missingDatabase(file: string): string {
  return `no database at ${file} (check --db, HAAS_DB or the config file; ` +
    '`haas admin create-user NAME --admin --init` creates a new inventory there)';
}
