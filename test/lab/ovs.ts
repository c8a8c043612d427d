// The OVS lab lives in src/lab/ovs.ts (haas demo --real uses it too).
import './netns.js'; // Ctrl-C during a test run removes the lab
export { startOvsLab, type LabNode, type OvsLab } from '../../src/lab/ovs.js';
