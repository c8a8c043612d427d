// The lab plumbing lives in src/lab/netns.ts (haas demo --real uses it too); the tests add the
// check that says why the OVS/SSH lab cannot run here, and clean up on Ctrl-C.
import { execFileSync } from 'node:child_process';
import { cleanUpOnSignals, missingTools } from '../../src/lab/netns.js';

export { addNetns, cable, descendants, killAll, labPrefix, onCleanup, pings, run } from '../../src/lab/netns.js';

// A test run owns no other signal handling: Ctrl-C removes what the lab made.
cleanUpOnSignals();

/** Why the lab cannot run here, or null when it can (root, with ip, ovs and sshd installed). */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the OVS/SSH lab needs root (network namespaces, OVS); run the tests as root (.ci/run does)';
  const tools = ['ip', 'ovs-vsctl', 'ovsdb-server', 'ovs-vswitchd', 'ovsdb-tool', 'ping', 'unshare', 'ssh-keygen', 'openssl'];
  const missing = missingTools(tools.map((cmd) => ({ cmd, pkg: '' })));
  if (missing.length > 0) return `the lab needs ${missing[0]!.cmd} (see .ci/run)`;
  try { execFileSync('sh', ['-c', 'test -x /usr/sbin/sshd'], { stdio: 'ignore' }); } catch { return 'the lab needs /usr/sbin/sshd (openssh-server)'; }
  return null;
}
