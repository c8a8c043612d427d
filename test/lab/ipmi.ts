// The BMC simulators live in src/lab/ipmi.ts (haas demo --real uses them too).
export { ipmiLabAvailable, startIpmiSim, type IpmiSim } from '../../src/lab/ipmi.js';
