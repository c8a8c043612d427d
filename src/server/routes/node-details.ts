// GET /node_details (haas's extension): the bulk node listing, filtered and paged (src/core/node-details.ts).
import { listNodeDetails } from '../../core/node-details.js';
import { NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

/** Mount the bulk node listing on the router. */
export function nodeDetailsRoutes(r: Router): void {
  r.on('GET', '/node_details', NO_BODY, ({ core, p, query }) => json(listNodeDetails(core, p, query)), ['project', 'free', 'limit', 'after']);
}
