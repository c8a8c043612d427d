// A minimal QMP client: one unix-socket connection to a QEMU, commands in
// turn, events to a listener, and `closed` when QEMU goes away.
import { connect, type Socket } from 'node:net';
import { HeadnodeError } from './errors.js';

interface Pending { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }

/** An open, negotiated QMP connection. */
export class Qmp {
  private buf = '';
  private readonly queue: Pending[] = [];
  private onEvent: (name: string, data: Record<string, unknown>) => void = () => {};
  /** Resolves when the connection ends (QEMU exited, or close() was called). */
  readonly closed: Promise<void>;

  private constructor(private readonly sock: Socket, greeting: (ok: boolean) => void) {
    let greeted = false;
    this.closed = new Promise((resolve) => sock.once('close', () => {
      for (const p of this.queue.splice(0)) { clearTimeout(p.timer); p.reject(new HeadnodeError('QEMU closed its QMP socket')); }
      if (!greeted) greeting(false);
      resolve();
    }));
    sock.setEncoding('utf8');
    sock.on('error', () => { /* surfaces as close */ });
    sock.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (line === '') continue;
        let msg: Record<string, unknown>;
        try { msg = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
        if ('QMP' in msg) { greeted = true; greeting(true); continue; }
        if ('event' in msg) { this.onEvent(String(msg.event), (msg.data ?? {}) as Record<string, unknown>); continue; }
        const p = this.queue.shift();
        if (!p) continue;
        clearTimeout(p.timer);
        if ('error' in msg) {
          const err = msg.error as { desc?: string };
          p.reject(new HeadnodeError(`QEMU refused: ${err.desc ?? JSON.stringify(err)}`));
        } else p.resolve(msg.return);
      }
    });
  }

  /** Connect to the QMP socket at `path`, read the greeting and leave capabilities negotiation mode. */
  static async connect(path: string, timeoutMs = 5000): Promise<Qmp> {
    const sock = connect(path);
    let qmp!: Qmp;
    const greeted = new Promise<boolean>((resolve) => { qmp = new Qmp(sock, resolve); });
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([greeted, new Promise<boolean>((r) => { timer = setTimeout(() => r(false), timeoutMs); })]);
    clearTimeout(timer);
    if (!ok) {
      sock.destroy();
      throw new HeadnodeError(`no QMP greeting on ${path} within ${timeoutMs / 1000} s`);
    }
    await qmp.execute('qmp_capabilities');
    return qmp;
  }

  /** Run one command; resolves with its `return` value. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.sock.destroyed) return reject(new HeadnodeError('the QMP connection is closed'));
      const timer = setTimeout(() => {
        const i = this.queue.findIndex((p) => p.timer === timer);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new HeadnodeError(`QEMU did not answer "${command}" within ${timeoutMs / 1000} s`));
        this.sock.destroy();
      }, timeoutMs);
      this.queue.push({ resolve: resolve as (v: unknown) => void, reject, timer });
      this.sock.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    });
  }

  /** Receive QMP events (SHUTDOWN, ...). */
  listen(fn: (name: string, data: Record<string, unknown>) => void): void { this.onEvent = fn; }

  /** Close the connection (QEMU keeps running). */
  close(): void { this.sock.destroy(); }
}
