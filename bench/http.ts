// A small keep-alive HTTP client for the benchmark's setup and polling, and a promise pool.
import type { ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';

export interface Reply { status: number; text: string; json: any }

export class Api {
  readonly agent: Agent;
  readonly authHeader: string | undefined;
  constructor(readonly host: string, readonly port: number, readonly creds: { username: string; password: string } | null = null,
    maxSockets = 16) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
    this.authHeader = creds ? 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64') : undefined;
  }

  request(method: string, path: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = {};
    let text: string | undefined;
    if (body !== undefined) {
      text = JSON.stringify(body);
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(text));
    }
    if (this.authHeader) headers.authorization = this.authHeader;
    return new Promise((res, rej) => {
      const req = httpRequest({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (resp) => {
        const chunks: Buffer[] = [];
        resp.on('data', (c: Buffer) => chunks.push(c));
        resp.on('end', () => {
          const t = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try { json = t === '' ? undefined : JSON.parse(t); } catch { json = undefined; }
          res({ status: resp.statusCode ?? 0, text: t, json });
        });
        resp.on('error', rej);
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
      req.on('error', rej);
      if (text !== undefined) req.write(text);
      req.end();
    });
  }

  /** A request that must answer 2xx; throws with the body otherwise. */
  async ok(method: string, path: string, body?: unknown): Promise<Reply> {
    const r = await this.request(method, path, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} -> ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  }

  close(): void { this.agent.destroy(); }
}

/** Run fn over items with at most `concurrency` in flight; rejects on the first failure. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try { await fn(items[i] as T, i); } catch (e) { failed ??= e; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/** Stop a daemon the bench started: SIGTERM, SIGKILL after `timeoutMs`; resolves with its exit code. */
export async function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(t);
  return code;
}
