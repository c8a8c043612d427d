// A real BMC simulator per node (ipmi_sim from openipmi, see LAB.md) on
// 127.0.0.1 high ports, with its own temp dir, lan.conf and state.
// A chassis_control script records every power and boot-device change to a
// file; the node's serial port (SOL) is a TCP server in this process that
// writes known lines (and, with `echo`, acts like a shell: what is typed is
// echoed, and each line typed is answered `ran: <line>`). stop() kills ipmi_sim's whole process group (it and the
// chassis_control children) and removes the temp dir; an exit hook does the
// same if the process dies first. Used by `haas demo --real` and by the lab tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './netns.js';

/** Whether ipmi_sim and ipmitool are installed (apt-get install openipmi ipmitool). */
export function ipmiLabAvailable(): boolean {
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  return has('ipmi_sim') && has('ipmitool') && has('script');
}

/** One simulated BMC. */
export interface IpmiSim {
  /** A unique name; every console line carries it. */
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The `obm` body for node_register. */
  obm(password?: string): { type: string; host: string; port: number; user: string; password: string };
  /** The chassis_control calls that changed something, oldest first: "power 1", "boot pxe", "reset 1". */
  changes(): string[];
  /** Forget the recorded changes. */
  clearChanges(): void;
  /** The power state the chassis_control script holds. */
  power(): 'on' | 'off';
  /** A line the serial port writes: `${name} console line <n>`. */
  readonly consolePrefix: string;
  /** Kill ipmi_sim (the BMC goes down) but keep the files. */
  kill(): Promise<void>;
  /** Kill everything and remove the temp dir. */
  stop(): Promise<void>;
}

/** Synchronous last-resort cleanup of every running simulator, for the exit hook. */
const live = new Map<IpmiSim, () => void>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
}

// The chassis_control hook: `<script> [mc] get power boot ...` prints `power:0|1`
// and `boot:<dev>`; `<script> [mc] set power 1 ...` records and stores the change.
const CHASSIS_SCRIPT = `#!/bin/sh
dir=$(dirname "$0")
while [ $# -gt 0 ] && [ "$1" != get ] && [ "$1" != set ]; do shift; done
op=$1; shift
case "$op" in
get)
  for p in "$@"; do
    case "$p" in
      power) echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)" ;;
      boot) echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)" ;;
    esac
  done ;;
set)
  while [ $# -ge 2 ]; do
    echo "$1 $2" >> "$dir/changes"
    case "$1" in
      power) echo "$2" > "$dir/power" ;;
      boot) echo "$2" > "$dir/boot" ;;
    esac
    shift 2
  done ;;
esac
exit 0
`;

const EMU = `mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
mc_enable 0x20
`;

/**
 * A serial port that writes `${prefix} console line <n>` every intervalMs to whoever connects (ipmi_sim);
 * with `echo`, typed bytes are echoed and a typed line (ended by CR or LF) is answered `ran: <line>`.
 */
async function startSerialPort(prefix: string, intervalMs: number, echo: boolean): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let n = 0;
    const timer = setInterval(() => { socket.write(`${prefix} console line ${n++}\r\n`); }, intervalMs);
    let typed = '';
    if (echo) {
      socket.on('data', (d: Buffer) => {
        for (const ch of d.toString('latin1')) {
          if (ch === '\r' || ch === '\n') {
            if (typed) socket.write(`\r\nran: ${typed}\r\n`);
            typed = '';
          } else {
            typed += ch;
            socket.write(ch);
          }
        }
      });
    }
    socket.on('error', () => {});
    socket.on('close', () => { clearInterval(timer); sockets.delete(socket); });
  });
  const port = await freePort();
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(port, '127.0.0.1', () => res()); });
  return {
    port,
    close: () => new Promise<void>((res) => {
      for (const s of sockets) s.destroy();
      server.close(() => res());
    }),
  };
}

/**
 * Start one ipmi_sim with user "admin" and `password` (a console line every `intervalMs`, 100; `echo`: its serial
 * port acts like a shell; its temp dir made under `parent`); resolves when it answers ipmitool.
 */
export async function startIpmiSim(opts: { password: string; prefix?: string; intervalMs?: number; echo?: boolean; parent?: string }): Promise<IpmiSim> {
  const name = `${opts.prefix ?? 'haas-ipmi'}-${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(opts.parent ?? tmpdir(), `${name}-`));
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  const script = join(dir, 'chassis-control.sh');
  writeFileSync(script, CHASSIS_SCRIPT, { mode: 0o755 });
  writeFileSync(join(dir, 'emu'), EMU);
  const serial = await startSerialPort(name, opts.intervalMs ?? 100, opts.echo ?? false);
  const [lanPort, vmPort] = [await freePort(), await freePort()];
  // `serial 15 ... codec VM` is needed for power control to work (LAB.md).
  writeFileSync(join(dir, 'lan.conf'), [
    `name "${name}"`,
    'set_working_mc 0x20',
    'startlan 1',
    `  addr 127.0.0.1 ${lanPort}`,
    '  priv_limit admin',
    '  allowed_auths_callback none md2 md5 straight',
    '  allowed_auths_user none md2 md5 straight',
    '  allowed_auths_operator none md2 md5 straight',
    '  allowed_auths_admin none md2 md5 straight',
    '  guid a123456789abcdefa123456789abcdef',
    'endlan',
    `chassis_control "${script}"`,
    `serial 15 127.0.0.1 ${vmPort} codec VM`,
    `sol "tcp:127.0.0.1:${serial.port}" 115200`,
    `user 2 true "admin" "${opts.password}" admin 10 none md2 md5 straight`,
    '',
  ].join('\n'), { mode: 0o600 });

  let output = '';
  const child = spawn('ipmi_sim', ['-n', '-c', join(dir, 'lan.conf'), '-f', join(dir, 'emu'), '-s', stateDir], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));

  const kill = async () => { killGroup(child); await exited; };
  let stopped = false;
  const sim: IpmiSim = {
    name, host: '127.0.0.1', port: lanPort, user: 'admin', password: opts.password,
    consolePrefix: `${name} console line`,
    obm: (password = opts.password) => ({ type: 'ipmi', host: '127.0.0.1', port: lanPort, user: 'admin', password }),
    changes: () => (existsSync(join(dir, 'changes')) ? readFileSync(join(dir, 'changes'), 'utf8').split('\n').filter(Boolean) : []),
    clearChanges: () => { rmSync(join(dir, 'changes'), { force: true }); },
    power: () => (existsSync(join(dir, 'power')) && readFileSync(join(dir, 'power'), 'utf8').trim() === '1' ? 'on' : 'off'),
    kill,
    async stop() {
      if (stopped) return;
      stopped = true;
      live.delete(sim);
      await kill();
      await serial.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.set(sim, () => { killGroup(child); rmSync(dir, { recursive: true, force: true }); });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => { for (const cleanup of live.values()) cleanup(); });
  }

  // Ready when ipmitool gets an answer.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = spawnSync('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(lanPort), '-U', 'admin', '-E',
      'chassis', 'power', 'status'], { env: { ...process.env, IPMI_PASSWORD: opts.password }, encoding: 'utf8', timeout: 5000 });
    if (r.status === 0 && /Chassis Power is/.test(r.stdout)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await sim.stop();
      throw new Error(`ipmi_sim ${name} did not start: ${output}${r.stdout ?? ''}${r.stderr ?? ''}`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  return sim;
}
