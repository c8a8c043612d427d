// Console sessions through the API for tests: the plain read-only GET, or the
// upgraded two-way stream with its mode; what each received, and its end.
import { request as httpRequest } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { Credentials, Daemon } from './daemon.js';

/** A console session through the API: what it received, whether it ended, and (interactive) its socket to type into. */
export interface ConsoleClient {
  status: number;
  text(): string;
  ended: Promise<void>;
  type(s: string): void;
  close(): void;
}

function basic(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64');
}

function follow(stream: Readable, status: number, socket: Duplex | null, close: () => void): ConsoleClient {
  let text = '';
  let markEnded!: () => void;
  const ended = new Promise<void>((res) => { markEnded = res; });
  stream.on('data', (c: Buffer) => { text += c.toString('latin1'); });
  stream.on('end', markEnded);
  stream.on('close', markEnded);
  return { status, text: () => text, ended, type: (s) => socket?.write(s), close };
}

/** `GET <path>` (a node's or headnode's console) upgraded to a two-way stream (`?mode=`), or the plain read-only GET with mode null. */
export function openConsole(d: Daemon, path: string, auth: Credentials | null, mode: 'read-only' | 'write' | 'force' | null): Promise<ConsoleClient> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = auth ? { authorization: basic(auth) } : {};
    if (mode !== null) Object.assign(headers, { connection: 'Upgrade', upgrade: 'tcp' });
    const req = httpRequest({ socketPath: d.socket, path: `${path}${mode ? `?mode=${mode}` : ''}`, headers });
    req.on('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(follow(socket, 101, socket, () => socket.destroy()));
    });
    req.on('response', (res) => resolve(follow(res, res.statusCode ?? 0, null, () => req.destroy())));
    req.on('error', reject);
    req.end();
  });
}

/** Wait until `check` holds, polling; fail naming `what` after timeoutMs. */
export async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
