// The offline `haas admin ...` commands on the database file (no daemon needed).
// None of them creates a database by accident: only create-user makes a new one, at the
// default location or with --init; restore replaces one only while no daemon holds it.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'clipanion';
import { readSecret } from '../secret-input.js';
import { checkLabel } from '../core/labels.js';
import { configOf, existingInventory, isDefaultDb, missingDatabase, reportingErrors } from './command-support.js';
import { DatabaseLockedError, lockDatabase, type DatabaseLock } from './lock.js';
import type { Config } from '../config.js';

/** What every offline command takes: the database, named by --db or by the config file (else the default). */
abstract class OfflineCommand extends Command {
  db = Option.String('--db', { description: 'SQLite database file (default as for serve: haas.db in the state directory)' });
  config = Option.String('--config', { description: 'config file (for its database path)' });

  /** The daemon configuration these flags give (its `db` is the database to work on). */
  protected settings(): Config {
    return configOf({ db: this.db, config: this.config });
  }
}

/** Take the database's lock for an offline change; a running daemon holds it, and the message says so. */
function lockForAdmin(db: string, what: string): DatabaseLock {
  try { return lockDatabase(db, `haas admin ${what}, pid ${process.pid}`); } catch (e) {
    if (e instanceof DatabaseLockedError) throw new Error(`${e.message}: stop it before you ${what}`);
    throw e;
  }
}

/** `haas admin create-user`: add a user straight to the database file, no daemon needed. */
export class AdminCreateUserCommand extends OfflineCommand {
  static override paths = [['admin', 'create-user']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'create a user directly in the database file (no daemon needed)',
    details: `
      Use it to make the first admin. The password is read from --password-file or standard input, never from the command line.
      A new, empty inventory is created only at the default location (haas.db in the state directory: /var/lib/haas as root, else $XDG_STATE_HOME/haas) or with --init; anywhere else a missing database is an error (exit 1), so that a mistyped --db does not start a second inventory.
    `,
    examples: [
      ['Create the first admin (default database)', 'haas admin create-user alice --admin < alice.pw'],
      ['Start a new inventory elsewhere', 'haas admin create-user alice --admin --init --db /srv/haas/haas.db < alice.pw'],
    ],
  });
  name = Option.String({ name: 'NAME' });
  admin = Option.Boolean('--admin', false, { description: 'give the user administrative access' });
  passwordFile = Option.String('--password-file', { description: 'read the password from this file' });
  init = Option.Boolean('--init', false, { description: 'create a new inventory if there is no database at --db' });

  async execute(): Promise<number> {
    return reportingErrors(async () => {
      const config = this.settings();
      const name = checkLabel('user', this.name);
      const fresh = !existsSync(config.db);
      if (fresh && !this.init && !isDefaultDb(config.db)) throw new Error(missingDatabase(config.db));
      const password = await readSecret({ file: this.passwordFile, what: `password of user ${name}`, stdin: this.context.stdin, stderr: this.context.stderr });
      const { openInventory } = await import('../db/inventory.js');
      const { createUser } = await import('../core/users.js');
      const inv = openInventory(config.db, { create: true });
      if (fresh) process.stdout.write(`created new inventory at ${config.db}\n`);
      try { createUser({ inv }, name, password, this.admin); } finally { inv.close(); }
      process.stdout.write(`created ${this.admin ? 'admin ' : ''}user ${name}\n`);
      return 0;
    });
  }
}

/** `haas admin migrate`: bring a database's schema to this version (refused while a daemon runs). */
export class AdminMigrateCommand extends OfflineCommand {
  static override paths = [['admin', 'migrate']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'upgrade an existing database schema to this version of haas',
    details: `
      The daemon migrates on start as well; this does it without serving. Back up first.
      It never creates a database (exit 1 if there is none) and refuses while a daemon holds the database.
    `,
  });

  async execute(): Promise<number> {
    return reportingErrors(async () => {
      const config = this.settings();
      if (!existsSync(config.db)) throw new Error(missingDatabase(config.db));
      const lock = lockForAdmin(config.db, 'migrate');
      try {
        const inv = await existingInventory(config.db);
        const { recordedSchemaVersion } = await import('../db/inventory.js');
        const version = recordedSchemaVersion(inv);
        inv.close();
        process.stdout.write(`${config.db}: schema version ${version}\n`);
      } finally { lock.release(); }
      return 0;
    });
  }
}

/** `haas admin backup`: a checked, consistent copy of the database, safe while the daemon runs. */
export class AdminBackupCommand extends OfflineCommand {
  static override paths = [['admin', 'backup']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'write a consistent copy of the database (safe while the daemon runs)',
    details: `
      Copies the database through SQLite's backup API, so the copy is consistent even while the daemon writes, then checks the copy (integrity and schema version).
      The copy is one self-contained file, mode 0600 (it holds password hashes and device credentials). It appears complete or not at all.
      An existing FILE is left alone unless --force. The database itself is never created (exit 1 if there is none).
    `,
    examples: [
      ['Back up the default database', 'haas admin backup /root/haas-backup.db'],
      ['Replace last night\'s copy', 'haas admin backup --force /srv/backup/haas.db'],
    ],
  });
  target = Option.String({ name: 'FILE' });
  force = Option.Boolean('--force', false, { description: 'replace FILE if it exists' });

  async execute(): Promise<number> {
    return reportingErrors(async () => {
      const config = this.settings();
      if (!existsSync(config.db)) throw new Error(missingDatabase(config.db));
      const { backupInventory } = await import('../db/backup.js');
      const { schemaVersion } = await backupInventory(config.db, this.target, { force: this.force });
      process.stdout.write(`backed up ${config.db} (schema version ${schemaVersion}) to ${resolve(this.target)}\n`);
      return 0;
    });
  }
}

/** `haas admin restore`: swap a checked backup in, keeping the old database aside (daemon stopped). */
export class AdminRestoreCommand extends OfflineCommand {
  static override paths = [['admin', 'restore']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'replace the database with a backup (stop the daemon first)',
    details: `
      Checks FILE first: an SQLite database that passes SQLite's integrity and foreign key checks, with a haas schema no newer than this haas (an older one is migrated now, in the copy).
      Refuses while a daemon holds the database. The previous database is kept beside it as DB.before-restore-<UTC time>, with its -wal and -shm; the checked copy is renamed into place (mode 0600), so DB is always a whole database.
      The switches may no longer match a restored inventory: a marker file DB-restored makes the next haas serve verify every switch and report the drift.
    `,
    examples: [['Restore last night\'s backup', 'haas admin restore /root/haas-backup.db']],
  });
  source = Option.String({ name: 'FILE' });

  async execute(): Promise<number> {
    return reportingErrors(async () => {
      const { db } = this.settings();
      const source = resolve(this.source);
      if (resolve(db) === source) throw new Error(`${source} is the database itself`);
      if (!existsSync(dirname(db))) {
        // A fresh machine's default state directory may not exist yet; anywhere else it is a typo.
        if (!isDefaultDb(db)) throw new Error(`directory ${dirname(db)} does not exist (check --db, HAAS_DB or the config file)`);
        mkdirSync(dirname(db), { recursive: true, mode: 0o700 });
      }
      const lock = lockForAdmin(db, 'restore');
      try {
        const { installRestore, prepareRestore } = await import('../db/backup.js');
        const prepared = prepareRestore(source, db);
        const now = new Date();
        const marker = { file: `${db}-restored`, text: `${now.toISOString()} ${source}\n` };
        let done;
        try { done = installRestore(prepared, db, marker, now); } catch (e) { prepared.discard(); throw e; }
        const out = this.context.stdout;
        out.write(`checked ${source}: integrity ok, schema version ${prepared.from}` +
          `${prepared.from < prepared.to ? ` (migrated to ${prepared.to})` : ''}\n`);
        if (done.aside) {
          const with_ = done.movedSidecars.length ? ` with its ${done.movedSidecars.join(', ')}` : '';
          out.write(`kept the previous database as ${done.aside}${with_}\n`);
        } else out.write(`there was no database at ${db}\n`);
        out.write(`restored ${source} to ${db}\n`);
        out.write(`the next haas serve verifies every switch against it and reports the drift (marker ${marker.file})\n`);
      } finally { lock.release(); }
      return 0;
    });
  }
}
