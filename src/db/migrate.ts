// Forward migrations. schema.sql is always the whole current schema; each
// entry here turns version N (its index) into N+1 for databases made by an
// older haas. Append, never edit: released databases depend on them.

/** The schema version that schema.sql describes. */
export const SCHEMA_VERSION = 2;

/** MIGRATIONS[n] is the SQL that turns schema version n into n+1 (0 = empty file, handled by schema.sql). */
export const MIGRATIONS: Record<number, string> = {
  // 1 -> 2: the OBM audit trail.
  1: `CREATE TABLE obm_audit (
    id        INTEGER PRIMARY KEY,
    time      TEXT NOT NULL,
    user      TEXT NOT NULL,
    node      TEXT NOT NULL,
    operation TEXT NOT NULL,
    argument  TEXT,
    result    TEXT NOT NULL CHECK (result IN ('ok', 'error', 'redirect')),
    message   TEXT
  );
  CREATE INDEX obm_audit_by_node ON obm_audit (node);`,
};
