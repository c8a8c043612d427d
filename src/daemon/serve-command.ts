// `haas serve`: the daemon's command line.
import { Command, Option } from 'clipanion';
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
      const config = configOf({ config: this.config, db: this.db, socket: this.socket, listen: this.listen,
        auth: this.auth, tlsCert: this.tlsCert, tlsKey: this.tlsKey });
      const { serve } = await import('./serve.js');
      const code = await serve(config);
      // Shut down cleanly already: do not wait for idle keep-alive sockets of outgoing fetches.
      process.exit(code);
    });
  }
}

