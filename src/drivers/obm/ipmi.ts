// The `ipmi` OBM driver: power, boot device and SOL console of a BMC through
// ipmitool (IPMI v2, lanplus). Operations on one BMC run one at a time;
// different BMCs run in parallel; every ipmitool call has a timeout.
import { BOOT_DEVICES, type BootDevice, type ObmDriver, type ObmSession } from './types.js';
import type { FieldValues } from '../fields.js';
import { bmcKey, BmcQueue, runIpmitool, type BmcTarget } from './ipmi-tool.js';
import { solConsole, type ChildRecorder } from './ipmi-sol.js';

/** Options of the ipmi driver. */
export interface IpmiDriverOptions {
  /** Longest time one ipmitool call (or opening a SOL session) may take before it is killed. */
  timeoutMs: number;
  /** Told of every console process started (the daemon records them to end them after a crash). */
  children?: ChildRecorder;
}

const BOOTDEV_ARGS = {
  pxe: ['chassis', 'bootdev', 'pxe', 'options=persistent'],
  disk: ['chassis', 'bootdev', 'disk', 'options=persistent'],
  none: ['chassis', 'bootdev', 'none'],
} as const;

function target(fields: FieldValues): BmcTarget {
  return { host: String(fields.host), port: Number(fields.port ?? 623), user: String(fields.user), password: String(fields.password) };
}

/** Parse `chassis power status` ("Chassis Power is on"). */
export function parsePowerStatus(text: string): 'on' | 'off' {
  const m = /Chassis Power is (on|off)/i.exec(text);
  if (!m) throw new Error(`ipmitool chassis power status: unexpected answer "${text}"`);
  return m[1]!.toLowerCase() as 'on' | 'off';
}

// ipmitool's names of the Boot Device Selector (IPMI boot parameter 5, data 2 bits 5:2) that setBootdev sets.
const BOOT_SELECTORS: ReadonlyMap<string, BootDevice> = new Map([
  ['Force PXE', 'pxe'],
  ['Force Boot from default Hard-Drive', 'disk'],
  ['No override', 'none'],
]);

/**
 * Parse `chassis bootparam get 5` into the device setBootdev names, from its
 * "Boot Device Selector" line; any other selector (BIOS setup, CD/DVD, ...) is
 * an error in ipmitool's words. The "Boot Flag Valid" bit is not read
 * (ironic does not read it either): ipmi_sim never keeps it.
 */
export function parseBootDevice(text: string): BootDevice {
  const selector = /Boot Device Selector : (.*)/.exec(text)?.[1]?.trim();
  if (selector === undefined) throw new Error(`ipmitool chassis bootparam get 5: unexpected answer "${text.replace(/\s+/g, ' ').trim()}"`);
  const dev = BOOT_SELECTORS.get(selector);
  if (dev === undefined) {
    throw new Error(`ipmitool chassis bootparam get 5: the BMC boots next with "${selector}", which is none of ${BOOT_DEVICES.join(', ')}`);
  }
  return dev;
}

/** Make the ipmi driver (one per daemon: it owns the per-BMC queues). */
export function ipmiObmDriver(opts: IpmiDriverOptions): ObmDriver {
  const queue = new BmcQueue();
  return {
    name: 'ipmi',
    module: 'ipmi',
    fields: {
      host: { type: 'string', required: true },
      user: { type: 'string', required: true },
      password: { type: 'string', required: true, secret: true },
      port: { type: 'integer', default: 623, min: 1, max: 65535 },
    },
    open(node, fields): ObmSession {
      const t = target(fields);
      const ipmitool = (...args: string[]) => runIpmitool(t, args, opts.timeoutMs);
      /** One operation, possibly several ipmitool calls, with the BMC to itself. */
      const serialized = <T>(job: () => Promise<T>) => queue.run(bmcKey(t), job);
      const status = async () => parsePowerStatus(await ipmitool('chassis', 'power', 'status'));
      return {
        powerOn: () => serialized(async () => { await ipmitool('chassis', 'power', 'on'); }),
        powerOff: () => serialized(async () => { await ipmitool('chassis', 'power', 'off'); }),
        powerCycle: (force) => serialized(async () => {
          await ipmitool('chassis', 'bootdev', 'pxe');
          // BMCs refuse to cycle or reset a node that is off.
          if ((await status()) === 'off') await ipmitool('chassis', 'power', 'on');
          else await ipmitool('chassis', 'power', force ? 'reset' : 'cycle');
        }),
        powerStatus: () => serialized(status),
        setBootdev: (dev) => serialized(async () => { await ipmitool(...BOOTDEV_ARGS[dev]); }),
        bootDevice: () => serialized(async () => parseBootDevice(await ipmitool('chassis', 'bootparam', 'get', '5'))),
        console: () => solConsole(node, t, queue, opts.timeoutMs, opts.children),
      };
    },
  };
}
