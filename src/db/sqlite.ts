// Opens better-sqlite3 databases and reads schema.sql, both in development (files in the
// repository) and in the single executable, where the native addon and the schema are
// SEA assets embedded in dist/haas.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

interface SeaModule {
  isSea(): boolean;
  getAsset(key: string): ArrayBuffer;
  getAsset(key: string, encoding: string): string;
}

// node:sea has no ESM/TS declarations in Node 20; the bundle is CommonJS, where `require` exists.
function loadSea(): SeaModule | null {
  try {
    const req = typeof require === 'function' ? require : createRequire(import.meta.url);
    const sea = req('node:sea') as SeaModule;
    return sea.isSea() ? sea : null;
  } catch {
    return null;
  }
}

let seaCache: SeaModule | null | undefined;
function sea(): SeaModule | null {
  if (seaCache === undefined) seaCache = loadSea();
  return seaCache;
}

let embeddedAddon: object | undefined;

/** Loads the embedded better_sqlite3.node once per process through a private temp file. */
function loadEmbeddedAddon(s: SeaModule): object {
  if (embeddedAddon) return embeddedAddon;
  const dir = mkdtempSync(join(tmpdir(), 'haas-sqlite-'));
  const file = join(dir, 'better_sqlite3.node');
  try {
    writeFileSync(file, Buffer.from(s.getAsset('better_sqlite3.node')), { mode: 0o700 });
    const m = { exports: {} as object };
    process.dlopen(m, file);
    embeddedAddon = m.exports;
    return embeddedAddon;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Opens (creating if needed) the SQLite file; pragmas and migrations are the caller's job.
 * `readonly`: open an existing file for reading only (a missing one is an error).
 */
export function openDatabase(file: string, { readonly = false }: { readonly?: boolean } = {}): Database.Database {
  const s = sea();
  const options: Database.Options = { readonly, fileMustExist: readonly };
  // better-sqlite3 accepts the addon object itself; @types/better-sqlite3 only declares a path.
  if (s) return new Database(file, { ...options, nativeBinding: loadEmbeddedAddon(s) } as unknown as Database.Options);
  return new Database(file, options);
}

/** The text of schema.sql: embedded in the executable, read from the repository in development. */
export function readSchemaSql(): string {
  const s = sea();
  if (s) return s.getAsset('schema.sql', 'utf8');
  return readFileSync(new URL('../../schema.sql', import.meta.url), 'utf8');
}
