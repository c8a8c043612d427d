// The daemon's own commands: `haas serve` and the offline `haas admin ...`
// commands on the database file. Heavy modules are imported only when one
// of these runs, so the client CLI starts fast.
import { Command, Option } from 'clipanion';
import { readSecret } from '../cli/input.js';

async function configOf(flags: import('../config.js').ServeFlags) {
  const { resolveConfig } = await import('../config.js');
  return resolveConfig(flags);
}

/** Print a config/database problem and give exit code 2 (config) or 1. */
async function reportingErrors(fn: () => Promise<number>): Promise<number> {
  const { ConfigError } = await import('../config.js');
  try { return await fn(); } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`haas: ${e.message}\n`); return 2; }
    process.stderr.write(`haas: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

class ServeCommand extends Command {
  static override paths = [['serve']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'run the haas daemon (the REST API, the networking worker)',
    details: `
      Serves the HIL v0 API on a unix socket (mode 0660) and, with --listen, on TCP (HTTPS with --tls-cert/--tls-key).
      With no flags it keeps its database and socket in the state directory: /var/lib/haas as root, else $XDG_STATE_HOME/haas.
      Settings come from flags, then HAAS_* environment variables, then the config file (INI; see the README), then defaults.
      SIGTERM or SIGINT stops accepting requests, finishes those in flight and the switch work in progress, and exits 0.
    `,
    examples: [
      ['Serve on the default socket with database auth', 'haas serve'],
      ['Also serve on TCP', 'haas serve --listen 0.0.0.0:5000 --tls-cert /etc/haas/cert.pem --tls-key /etc/haas/key.pem'],
      ['Development: everyone is admin, loopback only', 'haas serve --auth null --listen 127.0.0.1:5000'],
    ],
  });
  config = Option.String('--config', { description: 'config file (INI)' });
  db = Option.String('--db', { description: 'SQLite database file' });
  socket = Option.String('--socket', { description: 'unix socket path' });
  listen = Option.String('--listen', { description: 'also serve on TCP HOST:PORT' });
  auth = Option.String('--auth', { description: 'auth backend: database (default) or null' });
  tlsCert = Option.String('--tls-cert', { description: 'TLS certificate (PEM) for --listen' });
  tlsKey = Option.String('--tls-key', { description: 'TLS private key (PEM) for --listen' });

  async execute(): Promise<number> {
    return reportingErrors(async () => {
      const config = await configOf({ config: this.config, db: this.db, socket: this.socket, listen: this.listen,
        auth: this.auth, tlsCert: this.tlsCert, tlsKey: this.tlsKey });
      const { serve } = await import('./serve.js');
      const code = await serve(config);
      // Shut down cleanly already: do not wait for idle keep-alive sockets of outgoing fetches.
      process.exit(code);
    });
  }
}

async function inventoryAt(db: string | undefined, configFile: string | undefined) {
  const config = await configOf({ db, config: configFile });
  const { openInventory } = await import('../db/inventory.js');
  return { inv: openInventory(config.db), config };
}

class AdminCreateUserCommand extends Command {
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

class AdminMigrateCommand extends Command {
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

class AdminBackupCommand extends Command {
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
      const { chmodSync } = await import('node:fs');
      chmodSync(this.target, 0o600);
      process.stdout.write(`backed up to ${this.target}\n`);
      return 0;
    });
  }
}

/** The daemon's commands, registered by main.ts beside the client commands. */
export const daemonCommands = [ServeCommand, AdminCreateUserCommand, AdminMigrateCommand, AdminBackupCommand];
