// `haas audit`: the audit trail, newest first, with the API's filters.
import { Command, Option, UsageError } from 'clipanion';
import { DataCommand } from './base.js';
import { formatTable } from './output.js';
import type { AuditEntry, AuditPage } from '../client/types.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/** A time option: ISO 8601 as given, or "2h", "7d" (that long ago). */
function timeOption(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ago = /^([0-9]+)([smhd])$/.exec(v);
  if (ago) return new Date(Date.now() - Number(ago[1]) * UNITS[ago[2]!]!).toISOString();
  if (Number.isNaN(Date.parse(v))) throw new UsageError(`${name}: expected a time (2026-01-31T12:00Z) or an age (2h, 7d), got "${v}"`);
  return v;
}

function whole(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(v)) throw new UsageError(`${name}: expected a positive whole number, got "${v}"`);
  return Number(v);
}

function targetOf(e: AuditEntry): string {
  const parts: string[] = [];
  if (e.node !== null) parts.push(`node ${e.node}`);
  if (typeof e.detail.nic === 'string') parts.push(`nic ${e.detail.nic}`);
  if (e.network !== null) parts.push(`network ${e.network}`);
  for (const k of ['project', 'switch', 'port', 'headnode', 'user']) {
    const v = e.detail[k];
    if (typeof v === 'string') parts.push(`${k} ${v}`);
  }
  return parts.join(', ');
}

function outcomeOf(e: AuditEntry): string {
  const base = e.outcome === 'ok' ? 'ok' : `${e.outcome} ${e.status ?? ''} ${e.error_type ?? ''}`.trim();
  const status = e.detail.status;
  const withAction = typeof status === 'string' ? `${base} (${status})` : base;
  return e.count > 1 ? `${withAction} x${e.count} until ${e.last_time}` : withAction;
}

function formatAudit(page: AuditPage): string {
  if (page.entries.length === 0) return 'no audit entries\n';
  const table = formatTable(['time', 'actor', 'source', 'operation', 'target', 'projects', 'outcome'], page.entries.map((e) => [
    e.time, e.actor ?? '-', e.source, e.operation, targetOf(e), e.projects.join(','), outcomeOf(e),
  ]));
  return page.next_before === null ? table : `${table}more: add --before ${page.next_before}\n`;
}

/** `haas audit [filters] [--limit N] [--before ID] [--json]`. */
class Audit extends DataCommand {
  static override paths = [['audit']];
  static override usage = Command.Usage({
    category: 'Misc',
    description: 'Show the audit trail: who changed what, from where, when, and how it ended',
    details: `
      Lists entries newest first: every state-changing call (refused ones with their status and error type),
      failed logins (folded per user, source and hour: see the count), networking actions' device outcomes
      in the name of who queued them, OBM operations, host-key acceptances and drift repairs. Admins see
      everything; other users see the entries of the projects they belong to, as those projects were at the
      time (never another project's use of a node, never failed logins). Each filter narrows; --since and
      --until take a time (ISO 8601) or an age (2h, 7d). A page holds --limit entries (default 100, at most
      1000); the last line tells how to ask for the next page.
    `,
    examples: [
      ['Who put node n1 on which network', '$0 audit --node n1 --operation node_connect_network'],
      ['Failed logins as alice today', '$0 audit --actor alice --operation login --since 1d'],
      ['Refused calls in project p1, as JSON', '$0 audit --project p1 --outcome refused --json'],
    ],
  });
  since = Option.String('--since', { description: 'Entries at or after this time (or age: 2h, 7d)' });
  until = Option.String('--until', { description: 'Entries before this time (or age)' });
  actor = Option.String('--actor', { description: 'Only entries of this user' });
  project = Option.String('--project', { description: 'Only entries concerning this project' });
  node = Option.String('--node', { description: 'Only entries naming this node' });
  network = Option.String('--network', { description: 'Only entries naming this network' });
  operation = Option.String('--operation', { description: 'Only this operation (e.g. node_connect_network, login, power_on)' });
  outcome = Option.String('--outcome', { description: 'Only ok, refused or error' });
  limit = Option.String('--limit', { description: 'Entries per page (default 100, at most 1000)' });
  before = Option.String('--before', { description: 'Only entries older than this id (the next page)' });

  async execute() {
    this.show(await this.api.listAudit({
      since: timeOption('--since', this.since), until: timeOption('--until', this.until), actor: this.actor,
      project: this.project, node: this.node, network: this.network, operation: this.operation, outcome: this.outcome,
      limit: whole('--limit', this.limit), before: whole('--before', this.before),
    }), formatAudit);
  }
}

/** The `haas audit` command. */
export const auditCommands = [Audit];
