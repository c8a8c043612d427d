// The offline `haas admin ...` commands on the database file (no daemon needed).
import { chmodSync } from 'node:fs';
import { Command, Option } from 'clipanion';
import { readSecret } from '../cli/input.js';
import { inventoryAt, reportingErrors } from './command-support.js';

export class AdminCreateUserCommand extends Command {
  static override paths = [['admin', 'create-user']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'create a user directly in the database file (no daemon needed)',
    details: 'Use it to make the first admin. The password is read from --password-file or standard input, never from the command line.',
    examples: [['Create the first admin', 'haas admin create-user alice --admin < alice.pw']],
  });
  name = Option.String({ name: 'NAME' });
  admin = Option.Boolean('--admin', false, { description: 'give the user administrative access' });
  passwordFile = Option.String('--password-file', { description: 'read the password from this file' });
  db = Option.String('--db', { description: 'SQLite database file (default as for serve)' });
  config = Option.String('--config', { description: 'config file (for its database path)' });

  async execute(): Promise<number> {
    return reportingErrors(async () => {
      const password = await readSecret({ file: this.passwordFile, what: `password of user ${this.name}`, stdin: this.context.stdin, stderr: this.context.stderr });
      const { inv } = await inventoryAt(this.db, this.config);
      const { createUser } = await import('../core/users.js');
      const { checkLabel } = await import('../server/body.js');
      try { createUser({ inv }, checkLabel('user', this.name), password, this.admin); } finally { inv.close(); }
      process.stdout.write(`created ${this.admin ? 'admin ' : ''}user ${this.name}\n`);
      return 0;
    });
  }
}

export class AdminMigrateCommand extends Command {
  static override paths = [['admin', 'migrate']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'create or upgrade the database schema to this version of haas',
    details: 'The daemon migrates on start as well; this does it without serving. Back up first.',
  });
  db = Option.String('--db', { description: 'SQLite database file (default as for serve)' });
  config = Option.String('--config', { description: 'config file (for its database path)' });

  async execute(): Promise<number> {
    return reportingErrors(async () => {
      const { inv, config } = await inventoryAt(this.db, this.config);
      const v = inv.get<{ version: number }>('SELECT version FROM schema_version');
      inv.close();
      process.stdout.write(`${config.db}: schema version ${v?.version}\n`);
      return 0;
    });
  }
}

export class AdminBackupCommand extends Command {
  static override paths = [['admin', 'backup']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'write a consistent copy of the database (safe while the daemon runs)',
    examples: [['Back up', 'haas admin backup /root/haas-backup.db']],
  });
  target = Option.String({ name: 'FILE' });
  db = Option.String('--db', { description: 'SQLite database file (default as for serve)' });
  config = Option.String('--config', { description: 'config file (for its database path)' });

  async execute(): Promise<number> {
    return reportingErrors(async () => {
      const { inv } = await inventoryAt(this.db, this.config);
      try { await inv.sqlite.backup(this.target); } finally { inv.close(); }
      chmodSync(this.target, 0o600);
      process.stdout.write(`backed up to ${this.target}\n`);
      return 0;
    });
  }
}

