// `haas serve`: the daemon's command line.
import { Command, Option } from 'clipanion';
import { dirname, join, resolve } from 'node:path';
import { configOf, reportingErrors } from './command-support.js';

/** `haas serve`. */
export class ServeCommand extends Command {
  static override paths = [['serve']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'run the haas daemon (the REST API, the networking worker)',
    details: `
      Serves the HIL v0 API on a unix socket (mode 0660) and, with --listen, on TCP (HTTPS with --tls-cert/--tls-key).
      With no flags it keeps its database and socket in the state directory: /var/lib/haas as root, else $XDG_STATE_HOME/haas.
      Settings come from flags, then HAAS_* environment variables, then the config file (INI; see the README), then defaults.
      One daemon per database: a second one on the same database, or on a socket where a daemon answers, refuses to start.
      Any start-up failure (port in use, unreadable TLS files, unknown socket_group, unwritable directories, a database
      from a newer haas) exits non-zero before anything is served, leaving no socket behind.
      With --detach it runs in the background and returns once every listener is bound (or with the daemon's error and exit code).
      SIGTERM or SIGINT stops accepting requests, finishes those in flight and the switch work in progress, and exits 0.
    `,
    examples: [
      ['Serve on the default socket with database auth', 'haas serve'],
      ['Start in the background, return once it serves', 'haas serve --detach'],
      ['Check a config file', 'haas serve --check-config --config /etc/haas/haas.conf'],
      ['Log at debug level (also HAAS_LOG_LEVEL, [log] level)', 'haas serve --log-level debug'],
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
  logLevel = Option.String('--log-level', { description: 'debug, info (default), warn or error; also HAAS_LOG_LEVEL and [log] level' });
  detach = Option.Boolean('--detach', false, { description: 'run in the background; return once the daemon serves (or with its error)' });
  logFile = Option.String('--log-file', { description: 'with --detach: append the daemon\'s log here (default: haas.log beside the database)' });
  checkConfig = Option.Boolean('--check-config', false, { description: 'print the effective configuration (secrets masked) and exit: 0, or 2 with file:line of the first problem' });

  /** The flags to give the detached daemon: the ones given here, minus --detach and --log-file. */
  private forwarded(): string[] {
    const out: string[] = [];
    const pairs: [string, string | undefined][] = [['--config', this.config], ['--db', this.db], ['--socket', this.socket],
      ['--listen', this.listen], ['--auth', this.auth], ['--tls-cert', this.tlsCert], ['--tls-key', this.tlsKey], ['--log-level', this.logLevel]];
    for (const [flag, value] of pairs) if (value !== undefined) out.push(flag, value);
    return out;
  }

  async execute(): Promise<number> {
    if (this.logFile !== undefined && !this.detach) return this.usageError('--log-file goes with --detach');
    if (this.detach && this.checkConfig) return this.usageError('--check-config does not start a daemon: give it without --detach');
    const code = await reportingErrors(async () => {
      const flags = { config: this.config, db: this.db, socket: this.socket, listen: this.listen,
        auth: this.auth, tlsCert: this.tlsCert, tlsKey: this.tlsKey, logLevel: this.logLevel };
      if (this.checkConfig) return checkConfig(flags);
      const config = configOf(flags);
      if (this.detach) {
        const { serveDetached } = await import('./detach.js');
        return serveDetached(this.forwarded(), resolve(this.logFile ?? join(dirname(config.db), 'haas.log')));
      }
      const [{ serve }, { readyNotifier }] = await Promise.all([import('./serve.js'), import('./detach.js')]);
      return serve(config, { ready: readyNotifier() });
    });
    // Shut down cleanly already (or never started): do not wait for idle keep-alive sockets of outgoing fetches.
    process.exit(code);
  }

  private usageError(message: string): number {
    this.context.stderr.write(`haas: ${message}\n`);
    return 2;
  }
}

/** `--check-config`: the effective configuration on stdout (exit 0), or `file:line: problem` on stderr (exit 2). */
async function checkConfig(flags: Parameters<typeof configOf>[0]): Promise<number> {
  const { ConfigError } = await import('../config.js');
  const { effectiveConfigText } = await import('./check-config.js');
  try {
    process.stdout.write(effectiveConfigText(configOf(flags)));
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
}
