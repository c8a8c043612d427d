// Every switch driver runs the switch driver contract (test/contract/
// switch-driver.ts): the mock, ovs over SSH on the OVS lab, the four CLI
// dialects against their SSH emulators, and snmp against a Q-BRIDGE agent.
import { builtInSwitchDrivers } from '../src/drivers/switch/registry.js';
import { switchDriverContract } from './contract/switch-driver.js';
import { labUnavailable } from './lab/netns.js';
import { startOvsLab, type OvsLab } from './lab/ovs.js';
import { startSshd } from './lab/sshd.js';
import { startVendorEmulator, type EmulatorOptions, type Vendor } from './lab/vendor-emulator.js';
import { startQBridgeAgent } from './lab/qbridge-agent.js';

const drivers = () => builtInSwitchDrivers({ callTimeoutMs: 5000 });

switchDriverContract('mock', async () => ({
  driver: drivers().mock!,
  fields: { hostname: 'contract-mock', username: 'u', password: 'p' },
  ports: ['gi1/0/1', 'gi1/0/2', 'te1/0/1'],
  teardown() {},
}));

switchDriverContract('ovs over SSH', async () => {
  let lab: OvsLab | undefined;
  try {
    lab = await startOvsLab();
    const ports = ['p1', 'p2', 'p3'].map((p) => `${lab!.prefix}${p}`);
    lab.addPorts(ports);
    const sshd = await startSshd({ dir: lab.dir, env: { OVS_RUNDIR: lab.rundir } });
    const l = lab;
    return {
      driver: drivers().ovs!,
      fields: { ovs_bridge: l.bridge, hostname: sshd.host, port: sshd.port, username: sshd.username, password: sshd.password },
      ports,
      absentPort: `${l.prefix}zz`,
      teardown() { sshd.stop(); l.stop(); },
    };
  } catch (e) {
    lab?.stop();
    throw e;
  }
}, { skip: labUnavailable() ?? false });

interface Dialect { ports: [string, string, string]; absent: string; fields: Record<string, string>; emulator: Partial<EmulatorOptions> }

// The options and fields of test/switch-cli.test.ts's CASES.
const DIALECTS: Record<Vendor, Dialect> = {
  nexus: { ports: ['Ethernet1/1', 'Ethernet1/2', 'Ethernet1/3'], absent: 'Ethernet1/48', fields: { dummy_vlan: '2222' }, emulator: { absentVlans: [2222] } },
  powerconnect55xx: { ports: ['gi1/0/1', 'gi1/0/2', 'te1/0/1'], absent: 'gi1/0/48', fields: {}, emulator: { shellLogin: true, pageLines: 6 } },
  delln3000: { ports: ['gi1/0/1', 'gi1/0/2', 'gi1/0/3'], absent: 'gi1/0/48', fields: { dummy_vlan: '2222' }, emulator: { absentVlans: [2222], unprivileged: true } },
  dellnos9: { ports: ['1/1', '1/2', '1/3'], absent: '1/48', fields: { interface_type: 'TenGigabitEthernet' }, emulator: {} },
};

for (const [vendor, c] of Object.entries(DIALECTS) as Array<[Vendor, Dialect]>) {
  switchDriverContract(`${vendor} (SSH emulator)`, async () => {
    const emu = await startVendorEmulator({ vendor, ports: c.ports, ...c.emulator });
    return {
      driver: drivers()[vendor]!,
      fields: { hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, ...c.fields },
      ports: [...c.ports],
      absentPort: c.absent,
      teardown: () => emu.close(),
    };
  });
}

const DUMMY_VLAN = 4000;
switchDriverContract('snmp (Q-BRIDGE agent)', async () => {
  const ports = ['ge-0/0/1', 'ge-0/0/2', 'ge-0/0/3', 'ge-0/0/4'];
  const agent = await startQBridgeAgent({ ports, vlans: [310, DUMMY_VLAN], pvid: DUMMY_VLAN });
  return {
    driver: drivers().snmp!,
    fields: { hostname: agent.host, port: agent.port, version: '2c', community: agent.community, dummy_vlan: DUMMY_VLAN },
    ports,
    absentPort: 'ge-0/0/99',
    teardown: () => agent.stop(),
  };
});
