// Every client command, noun by noun.
import type { CommandClass } from 'clipanion';
import { actionCommands } from './action.js';
import { auditCommands } from './audit.js';
import { completionCommands } from './completion.js';
import { consoleLogCommands } from './console-log.js';
import { miscCommands } from './extensions/misc.js';
import { headnodeCommands } from './headnode.js';
import { inventoryCommands } from './inventory.js';
import { leaseCommands } from './lease.js';
import { networkCommands } from './network.js';
import { nodeCommands } from './node.js';
import { portCommands } from './port.js';
import { projectCommands } from './project.js';
import { projectQuotaCommands } from './project-quota.js';
import { switchCommands } from './switch.js';
import { hostKeyCommands } from './switch-host-key.js';
import { switchLearnCommands } from './switch-learn.js';
import { switchOnboardCommands } from './switch-onboard.js';
import { userCommands } from './user.js';
import { whoamiCommands } from './whoami.js';

/** The commands that talk to a daemon through the API client. */
export const clientCommands: CommandClass[] = [
  ...projectCommands, ...projectQuotaCommands, ...nodeCommands, ...consoleLogCommands, ...networkCommands, ...switchCommands, ...switchOnboardCommands, ...hostKeyCommands, ...switchLearnCommands, ...portCommands,
  ...userCommands, ...whoamiCommands, ...headnodeCommands, ...leaseCommands, ...actionCommands, ...auditCommands, ...miscCommands,
  ...inventoryCommands,
  ...completionCommands,
];
