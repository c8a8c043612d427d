// SSH to a switch's management plane with ssh2: one TCP connection with
// Nagle off (without setNoDelay every command costs ~45 ms more), commands
// run as `exec` channels or through an interactive shell (CLI dialects), and
// every step has a timeout. SshLink keeps one connection and reconnects
// after a failure, so a driver session can be reused across batches.
// The switch's host key is checked during the key exchange, before any
// authentication: a host with another key never gets the password.
import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import type { Client, ClientChannel } from 'ssh2';
import type { HostKeyPolicy } from './types.js';

/** Where and as whom to log in. Exactly one of password / privateKey is normally given. */
export interface SshTarget {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  /** How to check the host key; without one any key is accepted (only for tools and tests that hold no inventory). */
  hostKey?: HostKeyPolicy;
}

/** What one command produced. `code` is null when it died by a signal. */
export interface ExecResult { code: number | null; stdout: string; stderr: string }

/** A device call failed: unreachable, authentication refused, timed out, or the connection dropped. */
export class SshError extends Error {
  override name = 'SshError';
}

/** The switch's host key was not trusted (another key than the one on record, or a first key that could not be recorded): nothing was sent to it. */
export class HostKeyError extends SshError {
  override name = 'HostKeyError';
}

function where(t: SshTarget): string { return `${t.username}@${t.host}:${t.port}`; }

/** OpenSSH's fingerprint of a host key in SSH wire form: `SHA256:` and the unpadded base64 of its SHA-256 (what `ssh-keygen -lf` prints). */
export function fingerprintOf(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** Check a presented key against the policy: null when it may be trusted, else why not (recording a first key as a side effect). */
function refusalOf(target: SshTarget, policy: HostKeyPolicy, presented: string): string | null {
  const hostPort = `${target.host}:${target.port}`;
  let recorded: string;
  try {
    recorded = policy.recorded ?? policy.firstSeen(presented);
  } catch (e) {
    return `the SSH host key of ${hostPort} (${presented}) could not be recorded, so it is not trusted: ${(e as Error).message}`;
  }
  if (recorded === presented) return null;
  try { policy.refused?.(presented); } catch { /* the refusal stands even if it cannot be noted */ }
  return `the SSH host key of ${hostPort} has changed: recorded ${recorded}, presented ${presented}; `
    + 'nothing was sent to it (not even the password). If the switch really has a new key, an admin accepts it '
    + '(haas switch host-key accept SWITCH ' + presented + ')';
}

/** One logged-in SSH connection. */
export class SshConnection {
  private dead: string | null = null;

  private constructor(private readonly client: Client, private readonly target: SshTarget) {
    client.on('close', () => { this.dead ??= `the SSH connection to ${where(target)} was closed`; });
    client.on('error', (e) => { this.dead ??= `the SSH connection to ${where(target)} failed: ${e.message}`; });
  }

  /** Connect and authenticate within `timeoutMs`; SshError with a clear reason otherwise. */
  static async open(target: SshTarget, timeoutMs: number): Promise<SshConnection> {
    // ssh2 is loaded on first use: a daemon without SSH switches never pays its ~12 MiB.
    const { Client: SshClient } = await import('ssh2');
    return new Promise((resolve, reject) => {
      const client = new SshClient();
      let settled = false;
      /** Set when the host key was refused: that, not ssh2's "Host denied", is the reason of any failure. */
      let refusal: string | null = null;
      const fail = (msg: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        sock.destroy();
        reject(refusal !== null ? new HostKeyError(refusal) : new SshError(msg));
      };
      const timer = setTimeout(() => fail(`cannot log in to ${where(target)}: no answer within ${timeoutMs / 1000} s`), timeoutMs);
      const sock: Socket = netConnect({ host: target.host, port: target.port });
      sock.setNoDelay(true);
      sock.on('error', (e) => fail(`cannot reach ${target.host}:${target.port}: ${e.message}`));
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(new SshConnection(client, target));
      });
      client.on('error', (e: Error & { level?: string }) => {
        fail(e.level === 'client-authentication'
          ? `SSH authentication as ${target.username} on ${target.host}:${target.port} failed (wrong password or key?)`
          : `SSH to ${where(target)} failed: ${e.message}`);
      });
      client.once('close', () => fail(`SSH to ${where(target)}: the connection was closed during login`));
      // Many switches offer only keyboard-interactive: answer each prompt with the password.
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
        finish(prompts.map(() => target.password ?? ''));
      });
      client.connect({
        sock,
        username: target.username,
        ...(target.password !== undefined ? { password: target.password, tryKeyboard: true } : {}),
        ...(target.privateKey !== undefined ? { privateKey: target.privateKey } : {}),
        readyTimeout: timeoutMs,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        // Runs during the key exchange (also on a re-key), before any authentication method is tried.
        ...(target.hostKey !== undefined ? {
          hostVerifier: (key: Buffer) => {
            refusal = refusalOf(target, target.hostKey!, fingerprintOf(key));
            return refusal === null;
          },
        } : {}),
      });
    });
  }

  /** Why the connection is unusable, or null while it is up. */
  get failure(): string | null { return this.dead; }

  /** Run one command; resolves with its exit code and output, rejects (SshError) on timeout or a lost connection. */
  exec(command: string, timeoutMs: number): Promise<ExecResult> {
    return this.withChannel(timeoutMs, `running "${command.slice(0, 60)}"`, (done, fail) => {
      this.client.exec(command, (err, ch) => {
        if (err) return fail(`${where(this.target)} refused to run a command: ${err.message}`);
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        ch.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
        ch.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
        ch.on('exit', (c: number | null) => { code = c; });
        ch.on('close', () => done({ code, stdout, stderr }));
      });
    });
  }

  /** Open an interactive shell channel (for CLI dialects that need prompts and modes). */
  shell(timeoutMs: number): Promise<ClientChannel> {
    return this.withChannel(timeoutMs, 'opening a shell', (done, fail) => {
      this.client.shell({ term: 'vt100', cols: 200, rows: 1000 }, (err, ch) => {
        if (err) fail(`${where(this.target)} refused a shell: ${err.message}`);
        else done(ch);
      });
    });
  }

  private withChannel<T>(timeoutMs: number, what: string,
    start: (done: (v: T) => void, fail: (msg: string) => void) => void): Promise<T> {
    if (this.dead) return Promise.reject(new SshError(this.dead));
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.client.off('close', lost);
        f();
      };
      const lost = () => finish(() => reject(new SshError(this.dead ?? `the SSH connection to ${where(this.target)} was lost`)));
      const timer = setTimeout(() => {
        // A hung channel leaves the connection in an unknown state: drop it.
        this.dead ??= `${where(this.target)} did not answer within ${timeoutMs / 1000} s`;
        finish(() => reject(new SshError(`${where(this.target)}: ${what} did not finish within ${timeoutMs / 1000} s`)));
        this.client.end();
      }, timeoutMs);
      this.client.once('close', lost);
      start((v) => finish(() => resolve(v)), (msg) => finish(() => reject(new SshError(msg))));
    });
  }

  /** Close the connection (idempotent). */
  close(): void {
    this.dead ??= 'closed';
    this.client.end();
  }
}

/** A policy that, once a first key is recorded, checks reconnections against it. */
export function rememberingFirstKey(policy: HostKeyPolicy): HostKeyPolicy {
  let recorded = policy.recorded;
  return {
    get recorded() { return recorded; },
    firstSeen(fingerprint) { recorded = policy.firstSeen(fingerprint); return recorded; },
    ...(policy.refused ? { refused: (fp: string) => policy.refused!(fp) } : {}),
  };
}

/** One reusable connection to a target: opened on first use, reopened after a failure. */
export class SshLink {
  private current: Promise<SshConnection> | null = null;
  private readonly target: SshTarget;

  constructor(target: SshTarget, private readonly timeoutMs: number) {
    this.target = { ...target, ...(target.hostKey ? { hostKey: rememberingFirstKey(target.hostKey) } : {}) };
  }

  /** A live connection (reusing the open one). */
  async connection(): Promise<SshConnection> {
    if (this.current) {
      const c = await this.current.catch(() => null);
      if (c && c.failure === null) return c;
    }
    const opening = SshConnection.open(this.target, this.timeoutMs);
    this.current = opening;
    opening.catch(() => { if (this.current === opening) this.current = null; });
    return opening;
  }

  /** Run one command on the live connection. */
  async exec(command: string): Promise<ExecResult> {
    return (await this.connection()).exec(command, this.timeoutMs);
  }

  /** Close the connection, if any. */
  async close(): Promise<void> {
    const c = this.current;
    this.current = null;
    if (c) (await c.catch(() => null))?.close();
  }
}
