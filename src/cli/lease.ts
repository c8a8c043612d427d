// haas lease ...: the end times of reserved nodes (haas extension, docs/leases.md).
import { Command, Option, UsageError } from 'clipanion';
import { ApiCallError } from '../client/errors.js';
import type { HaasClient } from '../client/client.js';
import type { LeaseChange, LeaseInfo } from '../client/types.js';
import { formatDuration } from '../durations.js';
import { DataCommand } from './base.js';
import { formatTable, type Records } from './output.js';
import { waitOption, waitTimeoutMs, waitWithProgress } from './progress.js';

/** How a lease stands, for people: "no end", "ends in 45m", "ends in 45m (warned)", "ended, release due", "expired, releasing: <reason>". */
export function leaseState(l: LeaseInfo, now = Date.now()): string {
  if (l.state === 'expired, releasing') return l.release_error ? `expired, releasing: ${l.release_error}` : 'expired, releasing';
  if (l.ends_at === null) return 'no end';
  const left = Date.parse(l.ends_at) - now;
  if (left <= 0) return 'ended, release due';
  // Rounded to the minute past an hour, to the second below: "ends in 3h12m", "ends in 45s".
  const shown = formatDuration(left >= 3_600_000 ? Math.round(left / 60_000) * 60_000 : left);
  return `ends in ${shown}${l.warned_at ? ' (warned)' : ''}`;
}

/** The node's lease, or null when the daemon has none for it (free node, no access, a HIL without leases). */
export async function leaseOrNull(api: HaasClient, node: string): Promise<LeaseInfo | null> {
  try {
    return await api.showLease(node);
  } catch (e) {
    if (e instanceof ApiCallError && e.status >= 400 && e.status < 500) return null;
    throw e;
  }
}

/** The leases of one project, or null when the daemon answers none (no access, a HIL without leases). */
export async function projectLeasesOrNull(api: HaasClient, project: string): Promise<LeaseInfo[] | null> {
  try {
    return await api.listLeases(project);
  } catch (e) {
    if (e instanceof ApiCallError && e.status >= 400 && e.status < 500) return null;
    throw e;
  }
}

/** The change that `--for D` or `--until T` asks for (exactly one of them). */
export function leaseChange(forText: string | undefined, untilText: string | undefined): LeaseChange {
  if ((forText === undefined) === (untilText === undefined)) throw new UsageError('give exactly one of --for DURATION and --until TIME');
  return forText !== undefined ? { for: forText } : { until: untilText! };
}

const LEASE_RECORDS: Records<LeaseInfo[]> = {
  columns: ['node', 'project', 'started', 'ends', 'state'],
  rows: (leases) => leases.map((l) => ({ node: l.node, project: l.project, started: l.started_at, ends: l.ends_at ?? '', state: leaseState(l) })),
};

function formatLeases(leases: LeaseInfo[]): string {
  if (leases.length === 0) return 'no leases\n';
  return formatTable(['node', 'project', 'started', 'ends', 'state'],
    leases.map((l) => [l.node, l.project, l.started_at, l.ends_at ?? '-', leaseState(l)]));
}

class LeaseList extends DataCommand {
  static override paths = [['lease', 'list']];
  static override usage = Command.Usage({
    category: 'Leases',
    description: 'List the leases you may see (admins: all; members: their projects\'), with when each ends',
    details: 'The state column says how long is left ("ends in 45m", "(warned)" once the expiry warning went out), or why a release has not completed yet ("expired, releasing: <reason>").',
    examples: [['All your leases', '$0 lease list'], ['Those of project "research"', '$0 lease list --project research']],
  });
  project = Option.String('--project', { description: 'Only the leases of this project' });
  async execute() {
    this.show(await this.api.listLeases(this.project), formatLeases, LEASE_RECORDS);
  }
}

class LeaseSet extends DataCommand {
  static override paths = [['lease', 'set']];
  static override usage = Command.Usage({
    category: 'Leases',
    description: 'Set, extend or shorten when a reserved node is released',
    details: `
      \`--for\` counts from now (90m, 4h, 7d); \`--until\` is an ISO 8601 time with its zone. Members of the
      node's project stay within the \`[leases] maximum\` counted from the reservation's start; admins may go beyond it.

      \`--wait[=TIMEOUT]\` then waits until haas has released the node (networks detached, node powered off and
      freed), with a progress line on a terminal: use it with an end that has passed or is near.
    `,
    examples: [
      ['Keep n1 four more hours', '$0 lease set n1 --for 4h'], ['Until a given time', '$0 lease set n1 --until 2026-05-01T18:00:00Z'],
      ['Release n1 now and wait for it (admin)', '$0 lease set n1 --until 2026-01-01T00:00:00Z --wait=5m'],
    ],
  });
  node = Option.String({ name: 'NODE' });
  for = Option.String('--for', { description: 'How long from now (e.g. 90m, 4h, 7d)' });
  until = Option.String('--until', { description: 'When (ISO 8601 time with zone)' });
  wait = waitOption('Wait (at most TIMEOUT: 90s, 5m; default 10m) until the node is released');
  async execute() {
    const timeoutMs = waitTimeoutMs(this.wait);
    const lease = await this.api.setLease(this.node, leaseChange(this.for, this.until));
    this.show(lease, (l) => `node ${l.node} (project ${l.project}) ${l.ends_at ? `ends at ${l.ends_at}` : 'has no end'}\n`);
    if (timeoutMs === null) return;
    await waitWithProgress<LeaseInfo | null>({
      stream: this.context.stderr, show: !this.json && !this.quiet, what: `the release of node ${this.node}`, timeoutMs,
      poll: () => leaseOrNull(this.api, this.node),
      finished: (l) => l === null,
      describe: (l) => `releasing node ${this.node}: ${l === null ? 'released' : leaseState(l)}`,
    });
    this.done(`node ${this.node} released`);
  }
}

class LeaseClear extends DataCommand {
  static override paths = [['lease', 'clear']];
  static override usage = Command.Usage({
    category: 'Leases',
    description: 'Remove the end of a node\'s lease (only admins while a [leases] maximum is set)',
    examples: [['n1 stays until detached', '$0 lease clear n1']],
  });
  node = Option.String({ name: 'NODE' });
  async execute() {
    const lease = await this.api.setLease(this.node, { until: null });
    this.show(lease, (l) => `node ${l.node} (project ${l.project}) has no end\n`);
  }
}

/** The `haas lease` commands. */
export const leaseCommands = [LeaseList, LeaseSet, LeaseClear];
