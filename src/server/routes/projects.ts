// Routes of SPEC.md 3.1 (projects).
import * as projects from '../../core/projects.js';
import { body, NO_BODY } from '../body.js';
import { checkLabel } from '../../core/labels.js';
import { json, type Router } from '../router.js';

/** Mount the project routes on the router. */
export function projectRoutes(r: Router): void {
  r.on('GET', '/projects', NO_BODY, ({ core, p }) => json(projects.listProjects(core, p)));
  r.on('PUT', '/project/:project', NO_BODY, ({ core, p, params }) => projects.createProject(core, p, checkLabel('project', params.project!)));
  r.on('DELETE', '/project/:project', NO_BODY, ({ core, p, params }) => projects.deleteProject(core, p, params.project!));
  r.on('POST', '/project/:project/connect_node', body({ node: 'string' }),
    ({ core, p, params, body: b }) => projects.connectNode(core, p, params.project!, b.node));
  r.on('POST', '/project/:project/detach_node', body({ node: 'string' }),
    ({ core, p, params, body: b }) => projects.detachNode(core, p, params.project!, b.node));
  r.on('GET', '/project/:project/nodes', NO_BODY, ({ core, p, params }) => json(projects.listProjectNodes(core, p, params.project!)));
  r.on('GET', '/project/:project/networks', NO_BODY, ({ core, p, params }) => json(projects.listProjectNetworks(core, p, params.project!)));
  r.on('GET', '/project/:project/headnodes', NO_BODY, ({ core, p, params }) => json(projects.listProjectHeadnodes(core, p, params.project!)));
}
