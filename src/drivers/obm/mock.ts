// The mock OBM: in-memory power state and boot device, and a console that
// prints a banner and a line per second, and echoes what is typed. For tests and users without hardware.
import { Duplex } from 'node:stream';
import type { BootDevice, ObmDriver } from './types.js';

/** Power state and boot device of every mock BMC in this daemon, by node label. */
export type MockObmState = Map<string, { power: 'on' | 'off'; bootdev: BootDevice; cycles: number }>;

/** Make the mock OBM driver over the given state (one per daemon). */
export function mockObmDriver(state: MockObmState): ObmDriver {
  return {
    name: 'mock',
    module: 'mock',
    fields: {
      host: { type: 'string', required: true },
      user: { type: 'string', required: true },
      password: { type: 'string', required: true, secret: true },
    },
    open(node) {
      const bmc = () => {
        let s = state.get(node);
        if (!s) { s = { power: 'off', bootdev: 'disk', cycles: 0 }; state.set(node, s); }
        return s;
      };
      return {
        async powerOn() { bmc().power = 'on'; },
        async powerOff() { bmc().power = 'off'; },
        async powerCycle() { const s = bmc(); s.bootdev = 'pxe'; s.power = 'on'; s.cycles++; },
        async powerStatus() { return bmc().power; },
        async setBootdev(dev) { bmc().bootdev = dev; },
        async bootDevice() { return bmc().bootdev; },
        console() {
          let n = 0;
          let timer: NodeJS.Timeout | undefined;
          const stream = new Duplex({
            write(chunk: Buffer, _enc, cb) { this.push(chunk); cb(); },
            read() {
              if (n === 0) { n++; this.push(`mock console of ${node} (power ${bmc().power})\r\n`); return; }
              // read() is called again after every push, the echo's too: one tick pending at a time.
              timer ??= setTimeout(() => { timer = undefined; this.push(`${node} tick ${n++}\r\n`); }, 1000);
            },
            destroy(err, cb) { if (timer) clearTimeout(timer); cb(err); },
          });
          return stream;
        },
      };
    },
  };
}
