// haas project quota / set-quota / quotas: projects' limits and use (haas's extension).
import { Command, Option, UsageError } from 'clipanion';
import type { ProjectQuota, QuotaChanges, QuotaLine } from '../client/types.js';
import { DataCommand } from './base.js';
import { formatTable } from './output.js';

const KINDS = ['nodes', 'networks', 'headnodes'] as const;

function limitText(line: QuotaLine): string {
  return line.limit === null ? 'unlimited' : String(line.limit);
}

function formatQuota(q: ProjectQuota): string {
  return formatTable(['kind', 'used', 'limit', 'source'], KINDS.map((k) => [k, String(q[k].used), limitText(q[k]), q[k].source]));
}

function formatQuotas(all: ProjectQuota[]): string {
  return formatTable(['project', ...KINDS], all.map((q) => [q.project, ...KINDS.map((k) => `${q[k].used}/${limitText(q[k])}`)]));
}

/** A --nodes/--networks/--headnodes value: a count, "unlimited", or "default" (null: the config's default again). */
function quotaValue(flag: string, text: string): number | 'unlimited' | null {
  if (text === 'unlimited') return 'unlimited';
  if (text === 'default') return null;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`${flag}: expected a number, "unlimited" or "default", got "${text}"`);
  return Number(text);
}

const WHAT_COUNTS = `
      Nodes: the nodes reserved into the project. Networks: the networks the project owns (their VLANs
      come from the pool; admin-owned networks, even those the project may use, do not count).
      Headnodes: the project's headnodes. The defaults are the daemon's \`[quotas]\` settings.`;

class ProjectQuotaShow extends DataCommand {
  static override paths = [['project', 'quota']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'Show a project\'s limits and what it holds (members and admins)',
    details: `
      One line per kind: what the project holds, its limit, and where the limit comes from
      (\`default\`: the daemon's configuration; \`override\`: set by an admin; \`unlimited\`: an admin lifted it).
      ${WHAT_COUNTS}
    `,
    examples: [['Quota of "research"', '$0 project quota research']],
  });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    this.show(await this.api.projectQuota(this.project), formatQuota);
  }
}

class ProjectSetQuota extends DataCommand {
  static override paths = [['project', 'set-quota']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'Set a project\'s own limits (admin)',
    details: `
      Each of \`--nodes\`, \`--networks\` and \`--headnodes\` takes a number, \`unlimited\` (no limit for
      this project), or \`default\` (the daemon's configured default again); kinds not given keep their
      limit. A limit below what the project holds takes nothing away: it refuses the next reservation.
      Prints the quota as it now is.
      ${WHAT_COUNTS}
    `,
    examples: [
      ['At most 8 nodes and 2 networks for "research"', '$0 project set-quota research --nodes 8 --networks 2'],
      ['No headnode limit for "research"', '$0 project set-quota research --headnodes unlimited'],
      ['Back to the default number of nodes', '$0 project set-quota research --nodes default'],
    ],
  });
  project = Option.String({ name: 'PROJECT' });
  nodes = Option.String('--nodes', { description: 'Nodes the project may hold: N, unlimited or default' });
  networks = Option.String('--networks', { description: 'Networks the project may own: N, unlimited or default' });
  headnodes = Option.String('--headnodes', { description: 'Headnodes the project may have: N, unlimited or default' });
  async execute() {
    const changes: QuotaChanges = {};
    for (const kind of KINDS) {
      const text = this[kind];
      if (text !== undefined) changes[kind] = quotaValue(`--${kind}`, text);
    }
    if (Object.keys(changes).length === 0) throw new UsageError('give at least one of --nodes, --networks, --headnodes');
    this.show(await this.api.projectSetQuota(this.project, changes), formatQuota);
  }
}

class ProjectQuotas extends DataCommand {
  static override paths = [['project', 'quotas']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'Show every project\'s use and limits, as used/limit (admin)',
    examples: [['All quotas', '$0 project quotas']],
  });
  async execute() {
    this.show(await this.api.listQuotas(), formatQuotas);
  }
}

/** The `haas project` commands about quotas. */
export const projectQuotaCommands = [ProjectQuotaShow, ProjectSetQuota, ProjectQuotas];
