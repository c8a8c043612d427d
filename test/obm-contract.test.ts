// Every OBM driver runs the OBM driver contract (test/contract/obm-driver.ts):
// the mock, and ipmi against ipmi_sim (whose serial port writes console lines).
import { randomBytes } from 'node:crypto';
import { builtInObmDrivers } from '../src/drivers/obm/registry.js';
import { obmDriverContract } from './contract/obm-driver.js';
import { ipmiLabAvailable, startIpmiSim } from './lab/ipmi.js';

const drivers = () => builtInObmDrivers({ timeoutMs: 5000 });

obmDriverContract('mock', async () => ({
  driver: drivers().mock!,
  fields: { host: 'contract-bmc', user: 'u', password: 'p' },
  consoleOutput: /tick \d+/,
  teardown() {},
}));

obmDriverContract('ipmi (ipmi_sim)', async () => {
  const sim = await startIpmiSim({ password: `bmc-${randomBytes(6).toString('hex')}`, prefix: 'haas-obm-contract' });
  const { type: _type, ...fields } = sim.obm();
  return { driver: drivers().ipmi!, fields, consoleOutput: new RegExp(`${sim.consolePrefix} \\d+`), teardown: () => sim.stop() };
}, { skip: ipmiLabAvailable() ? false : 'ipmi_sim, ipmitool or script is not installed' });
