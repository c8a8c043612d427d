// haas project ...: projects, and the nodes, networks and headnodes they hold (SPEC 3.1).
import { Command, Option } from 'clipanion';
import { ClientCommand, DataCommand } from './base.js';
import { formatLines } from './output.js';
import { leaseChange, leaseState, projectLeasesOrNull } from './lease.js';

class ProjectList extends DataCommand {
  static override paths = [['project', 'list']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'List all projects (admin)',
    examples: [['List projects', '$0 project list']],
  });
  async execute() {
    this.show(await this.api.listProjects(), formatLines);
  }
}

class ProjectCreate extends ClientCommand {
  static override paths = [['project', 'create']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'Create a project (admin)',
    examples: [['Create project "research"', '$0 project create research']],
  });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    await this.api.projectCreate(this.project);
    this.done(`created project ${this.project}`);
  }
}

class ProjectDelete extends ClientCommand {
  static override paths = [['project', 'delete']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'Delete a project (admin)',
    details: 'Fails while the project has nodes, owns networks, is on a network\'s access list or has headnodes.',
    examples: [['Delete project "research"', '$0 project delete research']],
  });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    await this.api.projectDelete(this.project);
    this.done(`deleted project ${this.project}`);
  }
}

class ProjectConnectNode extends ClientCommand {
  static override paths = [['project', 'connect-node']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'Reserve a free node into a project, optionally until a given end',
    details: `
      Without \`--for\`/\`--until\` the reservation gets the daemon's \`[leases] default\` (none unless configured).
      With one, the node is reserved and its lease then set (\`haas lease set\`): at its end haas releases the node.
    `,
    examples: [
      ['Put node n1 in project "research"', '$0 project connect-node research n1'],
      ['For four hours', '$0 project connect-node research n1 --for 4h'],
    ],
  });
  project = Option.String({ name: 'PROJECT' });
  node = Option.String({ name: 'NODE' });
  for = Option.String('--for', { description: 'Release the node after this long (e.g. 90m, 4h, 7d)' });
  until = Option.String('--until', { description: 'Release the node at this time (ISO 8601 with zone)' });
  async execute() {
    const change = this.for === undefined && this.until === undefined ? null : leaseChange(this.for, this.until);
    await this.api.projectConnectNode(this.project, this.node);
    if (change === null) { this.done(`node ${this.node} is now in project ${this.project}`); return; }
    const lease = await this.api.setLease(this.node, change);
    this.done(`node ${this.node} is now in project ${this.project} until ${lease.ends_at ?? '(no end)'}`);
  }
}

class ProjectDetachNode extends ClientCommand {
  static override paths = [['project', 'detach-node']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'Release a node from a project',
    details: 'The node\'s OBM must be disabled and its nics detached from every network first.',
    examples: [['Free node n1', '$0 project detach-node research n1']],
  });
  project = Option.String({ name: 'PROJECT' });
  node = Option.String({ name: 'NODE' });
  async execute() {
    await this.api.projectDetachNode(this.project, this.node);
    this.done(`node ${this.node} left project ${this.project}`);
  }
}

class ProjectNodes extends DataCommand {
  static override paths = [['project', 'nodes']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'List the nodes of a project (in the order they were registered)',
    examples: [['Nodes of "research"', '$0 project nodes research']],
  });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    const nodes = await this.api.listProjectNodes(this.project);
    if (this.json) { this.show(nodes, formatLines); return; }
    // The end times come from the lease route (list_project_nodes keeps HIL's shape): "n1  ends in 3h (2026-...)".
    const ends = new Map((await projectLeasesOrNull(this.api, this.project) ?? [])
      .filter((l) => l.ends_at !== null || l.state !== 'active').map((l) => [l.node, l]));
    this.show(nodes, (ns) => formatLines(ns.map((n) => {
      const l = ends.get(n);
      return l ? `${n}  ${leaseState(l)}${l.ends_at ? ` (${l.ends_at})` : ''}` : n;
    })));
  }
}

class ProjectNetworks extends DataCommand {
  static override paths = [['project', 'networks']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'List the networks a project has access to (public networks are not listed)',
    examples: [['Networks of "research"', '$0 project networks research']],
  });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    this.show(await this.api.listProjectNetworks(this.project), formatLines);
  }
}

class ProjectHeadnodes extends DataCommand {
  static override paths = [['project', 'headnodes']];
  static override usage = Command.Usage({
    category: 'Projects',
    description: 'List the headnodes of a project',
    examples: [['Headnodes of "research"', '$0 project headnodes research']],
  });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    this.show(await this.api.listProjectHeadnodes(this.project), formatLines);
  }
}

/** The `haas project` commands. */
export const projectCommands = [
  ProjectList, ProjectCreate, ProjectDelete, ProjectConnectNode, ProjectDetachNode,
  ProjectNodes, ProjectNetworks, ProjectHeadnodes,
];
