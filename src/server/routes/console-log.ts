// haas's console-log routes (issue 14, README "Console logs"): a node's console
// output kept while nobody watches, for its project's members and admins; and a
// headnode's serial.log (src/headnode/console.ts).
import { BadArgumentError } from '../../errors.js';
import * as consoleLogs from '../../core/console-logs.js';
import { headnodeConsoleLog } from '../../core/headnodes.js';
import { NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

function flag(name: string, v: string | undefined): boolean {
  if (v === undefined || v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new BadArgumentError(`"${name}": expected 1 or 0, got "${v}"`);
}

/** Mount the console-log routes on the router. */
export function consoleLogRoutes(r: Router): void {
  r.on('GET', '/node/:node/console-log', NO_BODY, ({ core, p, params, query }) => ({
    stream: consoleLogs.readNodeConsoleLog(core, p, params.node!, {
      sinceMs: consoleLogs.parseSince(query.since), follow: flag('follow', query.follow), log: query.log ?? null,
    }),
  }), ['since', 'follow', 'log']);
  r.on('GET', '/node/:node/console-logs', NO_BODY, ({ core, p, params }) => json(consoleLogs.listReleasedConsoleLogs(core, p, params.node!)));
  // QEMU writes serial.log itself, without times: a headnode's log is read whole.
  r.on('GET', '/headnode/:headnode/console-log', NO_BODY,
    ({ core, p, params, query }) => ({ stream: headnodeConsoleLog(core, p, params.headnode!, flag('follow', query.follow)) }), ['follow']);
}
