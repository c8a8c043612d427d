// Forward migrations. schema.sql is always the whole current schema; each
// entry here turns version N (its index) into N+1 for databases made by an
// older haas. Append, never edit: released databases depend on them.

/** The schema version that schema.sql describes. */
export const SCHEMA_VERSION = 1;

/** MIGRATIONS[n] is the SQL that turns schema version n into n+1 (0 = empty file, handled by schema.sql). */
export const MIGRATIONS: Record<number, string> = {};
