// Running ipmitool against one BMC: the argv (never the password: it goes in
// IPMI_PASSWORD with `-E`), a hard timeout, and output checks (ipmitool can
// exit 0 after printing "failed").
import { spawn } from 'node:child_process';

/** How to reach one BMC over IPMI v2 (lanplus). */
export interface BmcTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

const MAX_OUTPUT = 64 * 1024;

/** The BMC's key for serializing its operations: `host:port`. */
export function bmcKey(t: BmcTarget): string {
  return `${t.host}:${t.port}`;
}

/**
 * ipmitool's arguments for `args` on the BMC: lanplus with cipher suite 3
 * given explicitly (discovery stalls each call ~10 s), password from the environment.
 */
export function ipmitoolArgs(t: BmcTarget, args: string[]): string[] {
  return ['-I', 'lanplus', '-C', '3', '-H', t.host, '-p', String(t.port), '-U', t.user, '-E', ...args];
}

/** The environment of an ipmitool process: a PATH, the C locale and the password (read by `-E`). */
export function ipmitoolEnv(t: BmcTarget): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', IPMI_PASSWORD: t.password };
}

/** `text` with every occurrence of the password masked (device messages end up in API answers and logs). */
export function withoutSecret(text: string, t: BmcTarget): string {
  return t.password === '' ? text : text.split(t.password).join('****');
}

/** ipmitool's words, made a little clearer where they are cryptic. */
export function explainIpmitool(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (/Unable to establish IPMI v2 \/ RMCP\+ session/i.test(clean)) {
    return `${clean} (wrong user or password, or no IPMI v2 BMC at this address)`;
  }
  return clean;
}

/**
 * Run `ipmitool <args>` on the BMC; resolves with its output, or rejects with
 * ipmitool's own words when it fails, says "failed"/"error", or does not
 * finish within timeoutMs (then it is killed).
 */
export function runIpmitool(t: BmcTarget, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ipmitool', ipmitoolArgs(t, args), { env: ipmitoolEnv(t), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => { if (output.length < MAX_OUTPUT) output += chunk.toString('utf8'); };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' ? 'ipmitool is not installed on the haas server' : `cannot run ipmitool: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const text = withoutSecret(output, t).trim();
      const what = `ipmitool ${args.join(' ')}`;
      if (timedOut) {
        reject(new BmcTimeoutError(`no answer from the BMC at ${bmcKey(t)} within ${Math.round(timeoutMs / 1000)} s (${what})`));
      } else if (code !== 0 || /failed|error/i.test(text)) {
        reject(new Error(`${what}: ${explainIpmitool(text) || `exit code ${code}`}`));
      } else {
        resolve(text);
      }
    });
  });
}

/** ipmitool got no answer from the BMC in time. */
export class BmcTimeoutError extends Error {}

/**
 * Runs jobs one at a time per BMC (one BMC handles one request at a time
 * well) and jobs of different BMCs in parallel. A job that waited behind one
 * that timed out fails at once instead of waiting for its own timeout, so
 * calls to a hung BMC do not pile up.
 */
export class BmcQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly lastTimeout = new Map<string, number>();

  /** Run `job` after every job queued before it under `key`; resolves or rejects with the job. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const queuedAt = Date.now();
    const guarded = async () => {
      const timedOutAt = this.lastTimeout.get(key);
      if (timedOutAt !== undefined && timedOutAt >= queuedAt) {
        throw new BmcTimeoutError(`the BMC at ${key} did not answer the call before this one; not tried`);
      }
      try {
        return await job();
      } catch (e) {
        if (e instanceof BmcTimeoutError) this.lastTimeout.set(key, Date.now());
        throw e;
      }
    };
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(guarded);
    const tail = result.then(() => {}, () => {});
    this.tails.set(key, tail);
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return result;
  }
}
