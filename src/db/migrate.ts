// Forward migrations. schema.sql is always the whole current schema; each
// entry here turns version N (its index) into N+1 for databases made by an
// older haas. Append, never edit: released databases depend on them.

/** The schema version that schema.sql describes. */
export const SCHEMA_VERSION = 6;

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
  // 2 -> 3: headnodes and their hnics.
  2: `CREATE TABLE headnode (
    id         INTEGER PRIMARY KEY,
    label      TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES project (id),
    uuid       TEXT NOT NULL UNIQUE,
    base_img   TEXT NOT NULL,
    frozen     INTEGER NOT NULL DEFAULT 0 CHECK (frozen IN (0, 1)),
    status     TEXT NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'running', 'stopped', 'dead')),
    vncport    INTEGER
  );
  CREATE INDEX headnode_by_project ON headnode (project_id);
  CREATE TABLE hnic (
    id          INTEGER PRIMARY KEY,
    headnode_id INTEGER NOT NULL REFERENCES headnode (id) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    network_id  INTEGER REFERENCES network (id),
    UNIQUE (headnode_id, label)
  );
  CREATE INDEX hnic_by_network ON hnic (network_id);`,
  // 3 -> 4: switches' SSH host keys (none yet: each is recorded on its switch's next login).
  3: `ALTER TABLE switch ADD COLUMN host_key TEXT;
  ALTER TABLE switch ADD COLUMN host_key_origin TEXT CHECK (host_key_origin IN ('first-use', 'admin'));
  ALTER TABLE switch ADD COLUMN host_key_recorded_at TEXT;
  ALTER TABLE switch ADD COLUMN host_key_refused TEXT;`,
  // 4 -> 5: the audit trail, leases and quotas (issue 13).
  4: `CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    time       TEXT NOT NULL,
    last_time  TEXT NOT NULL,
    count      INTEGER NOT NULL DEFAULT 1,
    actor      TEXT,
    source     TEXT NOT NULL,
    operation  TEXT NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'error')),
    status     INTEGER,
    error_type TEXT,
    node       TEXT,
    network    TEXT,
    detail     TEXT
  );
  CREATE INDEX audit_by_time ON audit (time);
  CREATE INDEX audit_by_node ON audit (node) WHERE node IS NOT NULL;
  CREATE INDEX audit_by_network ON audit (network) WHERE network IS NOT NULL;
  CREATE INDEX audit_by_actor ON audit (actor);
  CREATE UNIQUE INDEX audit_login_window ON audit (actor, source, status, time) WHERE operation = 'login';
  CREATE TABLE audit_project (
    audit_id INTEGER NOT NULL REFERENCES audit (id) ON DELETE CASCADE,
    project  TEXT NOT NULL,
    PRIMARY KEY (audit_id, project)
  ) WITHOUT ROWID;
  CREATE INDEX audit_project_by_project ON audit_project (project, audit_id);
  CREATE TABLE project_quota (
    project_id INTEGER NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('nodes', 'networks', 'headnodes')),
    allowed    INTEGER CHECK (allowed >= 0),
    PRIMARY KEY (project_id, kind)
  ) WITHOUT ROWID;
  CREATE TABLE lease (
    node_id         INTEGER PRIMARY KEY REFERENCES node (id) ON DELETE CASCADE,
    project_id      INTEGER NOT NULL REFERENCES project (id),
    started_at      TEXT NOT NULL,
    ends_at         TEXT,
    warned_at       TEXT,
    releasing_since TEXT,
    release_error   TEXT
  );
  CREATE INDEX lease_by_end ON lease (ends_at) WHERE ends_at IS NOT NULL AND releasing_since IS NULL;
  CREATE INDEX lease_by_project ON lease (project_id);
  INSERT INTO lease (node_id, project_id, started_at)
    SELECT id, project_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM node WHERE project_id IS NOT NULL;
  ALTER TABLE networking_action ADD COLUMN actor TEXT;
  INSERT INTO audit (id, time, last_time, actor, source, operation, outcome, status, error_type, node, detail)
    SELECT id, time, time, CASE user WHEN 'null-auth' THEN NULL ELSE user END, 'unknown', operation,
           CASE result WHEN 'error' THEN 'error' ELSE 'ok' END,
           CASE result WHEN 'error' THEN 502 END, CASE result WHEN 'error' THEN 'OBMError' END, node,
           json_object('argument', argument, 'result', result, 'message', message)
      FROM obm_audit ORDER BY id;
  DROP TABLE obm_audit;`,
  // 5 -> 6: the dashboard's sign-in sessions.
  5: `CREATE TABLE ui_session (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
    password_tag TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX ui_session_by_user ON ui_session (user_id);`,
};
