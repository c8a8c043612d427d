-- haas inventory schema, version 6.
-- This file is the whole current schema: a new database gets it as is; an
-- older one is brought here by the forward migrations in src/db/migrate.ts.
-- Every row that has an API name carries it in `label`.

CREATE TABLE schema_version (
  version INTEGER NOT NULL
);

CREATE TABLE project (
  id    INTEGER PRIMARY KEY,
  label TEXT NOT NULL UNIQUE
);

-- Users of the `database` auth backend. password_hash is "scrypt$N$r$p$salt$hash" (base64).
CREATE TABLE user (
  id            INTEGER PRIMARY KEY,
  label         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1))
);

CREATE TABLE user_project (
  user_id    INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES project (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, project_id)
) WITHOUT ROWID;
CREATE INDEX user_project_by_project ON user_project (project_id);

-- A node's OBM is either an in-process driver (obm_type + obm_config JSON,
-- which may hold secrets) or an external obmd (obmd_uri + obmd_admin_token).
CREATE TABLE node (
  id               INTEGER PRIMARY KEY,
  label            TEXT NOT NULL UNIQUE,
  project_id       INTEGER REFERENCES project (id),
  obm_type         TEXT,
  obm_config       TEXT,
  obmd_uri         TEXT,
  obmd_admin_token TEXT,
  obmd_node_token  TEXT,
  obm_enabled      INTEGER NOT NULL DEFAULT 0 CHECK (obm_enabled IN (0, 1)),
  CHECK ((obm_type IS NULL) != (obmd_uri IS NULL))
);
CREATE INDEX node_by_project ON node (project_id);

CREATE TABLE node_metadata (
  id      INTEGER PRIMARY KEY,
  node_id INTEGER NOT NULL REFERENCES node (id) ON DELETE CASCADE,
  label   TEXT NOT NULL,
  value   TEXT NOT NULL, -- JSON text of the value
  UNIQUE (node_id, label)
);

-- host_key: the OpenSSH fingerprint ("SHA256:<base64>") of the switch's SSH
-- host key, checked before every login; NULL = none yet (the first key seen
-- is recorded). origin: 'first-use' or 'admin'. host_key_refused: the last
-- other key the switch presented (and was refused), until a key is accepted.
CREATE TABLE switch (
  id                   INTEGER PRIMARY KEY,
  label                TEXT NOT NULL UNIQUE,
  type                 TEXT NOT NULL,  -- driver short name
  config               TEXT NOT NULL,  -- JSON of the driver fields; may hold secrets
  host_key             TEXT,
  host_key_origin      TEXT CHECK (host_key_origin IN ('first-use', 'admin')),
  host_key_recorded_at TEXT,
  host_key_refused     TEXT
);

CREATE TABLE port (
  id        INTEGER PRIMARY KEY,
  switch_id INTEGER NOT NULL REFERENCES switch (id),
  label     TEXT NOT NULL,
  UNIQUE (switch_id, label)
);

CREATE TABLE nic (
  id      INTEGER PRIMARY KEY,
  node_id INTEGER NOT NULL REFERENCES node (id),
  label   TEXT NOT NULL,
  macaddr TEXT NOT NULL,
  port_id INTEGER UNIQUE REFERENCES port (id),
  UNIQUE (node_id, label)
);

-- owner_id NULL = owned by the admins. net_id is the VLAN id; allocated = it
-- came from (or lies in) the pool and returns to it when the network goes.
CREATE TABLE network (
  id        INTEGER PRIMARY KEY,
  label     TEXT NOT NULL UNIQUE,
  owner_id  INTEGER REFERENCES project (id),
  net_id    INTEGER NOT NULL UNIQUE,
  allocated INTEGER NOT NULL CHECK (allocated IN (0, 1))
);
CREATE INDEX network_by_owner ON network (owner_id);

-- The access list; no rows = public. Rowid order = grant order.
CREATE TABLE network_access (
  id         INTEGER PRIMARY KEY,
  network_id INTEGER NOT NULL REFERENCES network (id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES project (id),
  UNIQUE (network_id, project_id)
);
CREATE INDEX network_access_by_project ON network_access (project_id);

-- A network on a nic, on a channel ("vlan/native" or "vlan/<id>"). Created
-- only when the networking action that asked for it is DONE.
CREATE TABLE attachment (
  id         INTEGER PRIMARY KEY,
  nic_id     INTEGER NOT NULL REFERENCES nic (id),
  network_id INTEGER NOT NULL REFERENCES network (id),
  channel    TEXT NOT NULL,
  UNIQUE (nic_id, channel),
  UNIQUE (nic_id, network_id)
);
CREATE INDEX attachment_by_network ON attachment (network_id);

-- Queued switch changes (SPEC.md section 4). Labels are copied so that a
-- finished action stays readable after its network is deleted.
CREATE TABLE networking_action (
  id                INTEGER PRIMARY KEY,
  uuid              TEXT NOT NULL UNIQUE,
  type              TEXT NOT NULL CHECK (type IN ('modify_port', 'revert_port')),
  nic_id            INTEGER NOT NULL REFERENCES nic (id) ON DELETE CASCADE,
  channel           TEXT NOT NULL,
  new_network_id    INTEGER REFERENCES network (id) ON DELETE SET NULL,
  new_network_label TEXT,
  status            TEXT NOT NULL CHECK (status IN ('PENDING', 'DONE', 'ERROR')),
  message           TEXT,
  created_at        TEXT NOT NULL,
  finished_at       TEXT,
  actor             TEXT
);
CREATE INDEX networking_action_pending ON networking_action (status) WHERE status = 'PENDING';
CREATE INDEX networking_action_by_nic ON networking_action (nic_id);
CREATE INDEX networking_action_by_network ON networking_action (new_network_id);

-- Headnodes: a project's VMs (SPEC.md 3.5). frozen = started once: no more
-- hnic changes. status: created (never started), running, stopped, dead
-- (QEMU found gone without a stop). vncport: while running.
CREATE TABLE headnode (
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

-- A headnode's NICs (rowid order = creation order = guest eth0, eth1, ...),
-- each on at most one network, untagged.
CREATE TABLE hnic (
  id          INTEGER PRIMARY KEY,
  headnode_id INTEGER NOT NULL REFERENCES headnode (id) ON DELETE CASCADE,
  label       TEXT NOT NULL,
  network_id  INTEGER REFERENCES network (id),
  UNIQUE (headnode_id, label)
);
CREATE INDEX hnic_by_network ON hnic (network_id);

-- The audit trail: every state-changing call and what haas does on its own
-- (lease releases, drift repairs). Labels are copied: entries outlive their
-- objects. actor NULL = haas itself or the null auth backend; source:
-- 'socket', the client's address, or 'haas'. outcome: ok, refused (a 4xx
-- answer) or error (5xx, a device). count/last_time: repeats folded into one
-- entry (failed logins, operation 'login': time = the start of the hour they
-- fell in, one entry per user, source and status), so that a flood cannot
-- fill the disk. Power and boot-device operations (the OBM audit) have
-- detail.result (ok, error, redirect).
CREATE TABLE audit (
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

-- The projects an audit entry concerns, as they were at the time of the event
-- (a member sees the entries of the projects they belong to).
CREATE TABLE audit_project (
  audit_id INTEGER NOT NULL REFERENCES audit (id) ON DELETE CASCADE,
  project  TEXT NOT NULL,
  PRIMARY KEY (audit_id, project)
) WITHOUT ROWID;
CREATE INDEX audit_project_by_project ON audit_project (project, audit_id);

-- Per-project quota overrides, set by an admin (the defaults are the config's
-- [quotas]). No row for a kind = the config's default; allowed NULL = no limit
-- for this project; else the most the project may hold of that kind.
CREATE TABLE project_quota (
  project_id INTEGER NOT NULL REFERENCES project (id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('nodes', 'networks', 'headnodes')),
  allowed    INTEGER CHECK (allowed >= 0),
  PRIMARY KEY (project_id, kind)
) WITHOUT ROWID;

-- Leases (issue 13): a reserved node's reservation and its end. ends_at NULL =
-- no end. warned_at: when the expiry warning went out (once per end time).
-- releasing_since: the end passed and haas is releasing the node (survives
-- restarts); release_error: why the last attempt could not complete.
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

-- Ports a switch import left for the admin to decide (issue 15): they carried
-- VLANs haas could not adopt. haas neither parks nor repairs them (verify --fix,
-- drift checks) until the admin hands them over (`haas port manage`).
-- found: what the switch carried, in words; reason: why it was not adopted.
CREATE TABLE unmanaged_port (
  port_id INTEGER PRIMARY KEY REFERENCES port (id) ON DELETE CASCADE,
  since   TEXT NOT NULL,
  found   TEXT NOT NULL,
  reason  TEXT NOT NULL
);

-- Dashboard sign-in sessions (issue 17). id_hash: SHA-256 of the cookie's random
-- id (the id itself is never stored). password_tag: a digest of the user's
-- password_hash at sign-in, so a password change ends the session.
CREATE TABLE ui_session (
  id_hash      TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
  password_tag TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX ui_session_by_user ON ui_session (user_id);
