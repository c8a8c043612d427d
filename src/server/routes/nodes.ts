// Routes of SPEC.md 3.2 (nodes, nics, metadata, OBM, networking of nics).
import { ValidationError } from '../../errors.js';
import * as nodes from '../../core/nodes.js';
import * as obm from '../../core/obm.js';
import { listObmAudit } from '../../core/obm-audit.js';
import * as actions from '../../core/actions.js';
import { body, NO_BODY, openBody, type BodyOf } from '../body.js';
import { checkLabel } from '../../core/labels.js';
import { json, type Answer, type Router } from '../router.js';

function outcome<T>(o: obm.ObmOutcome<T>, asJson: boolean): Answer {
  if ('redirect' in o) return o;
  return asJson ? json(o.value) : undefined;
}

/** node_register's body: an in-process OBM (its type, then driver fields the driver checks) or an external obmd. */
const NODE_REGISTRATION = body({}, {
  obm: openBody({ type: 'string' }),
  obmd: body({ uri: 'string', admin_token: 'string' }),
  metadata: 'object',
});

function registration(b: BodyOf<typeof NODE_REGISTRATION>): nodes.NodeRegistration {
  const management = b.obm !== undefined && b.obmd === undefined ? { obm: b.obm }
    : b.obmd !== undefined && b.obm === undefined ? { obmd: b.obmd } : null;
  if (!management) throw new ValidationError('Exactly one of "obm" and "obmd" is required.');
  for (const key of Object.keys(b.metadata ?? {})) checkLabel('metadata', key);
  return b.metadata === undefined ? management : { ...management, metadata: b.metadata };
}

/** Mount the node, nic, OBM and metadata routes on the router. */
export function nodeRoutes(r: Router): void {
  r.on('PUT', '/node/:node', NODE_REGISTRATION,
    ({ core, p, params, body: b }) => nodes.registerNode(core, p, checkLabel('node', params.node!), registration(b)));
  r.on('DELETE', '/node/:node', NO_BODY, ({ core, p, params }) => nodes.deleteNode(core, p, params.node!));
  r.on('GET', '/nodes/:which', NO_BODY, ({ core, p, params }) => json(nodes.listNodes(core, p, params.which!)));
  r.on('GET', '/node/:node', NO_BODY, ({ core, p, params }) => json(nodes.showNode(core, p, params.node!)));
  r.on('PUT', '/node/:node/nic/:nic', body({ macaddr: 'string' }),
    ({ core, p, params, body: b }) => nodes.registerNic(core, p, params.node!, checkLabel('nic', params.nic!), b.macaddr));
  r.on('DELETE', '/node/:node/nic/:nic', NO_BODY, ({ core, p, params }) => nodes.deleteNic(core, p, params.node!, params.nic!));
  r.on('PUT', '/node/:node/metadata/:label', body({ value: 'any' }),
    ({ core, p, params, body: b }) => nodes.setMetadata(core, p, params.node!, checkLabel('metadata', params.label!), b.value));
  r.on('DELETE', '/node/:node/metadata/:label', NO_BODY, ({ core, p, params }) => nodes.deleteMetadata(core, p, params.node!, params.label!));

  r.on('PUT', '/node/:node/obm', body({ enabled: 'boolean' }),
    ({ core, p, params, body: b }) => obm.setObmEnabled(core, p, params.node!, b.enabled));
  r.on('POST', '/node/:node/power_cycle', body({}, { force: 'boolean' }),
    async ({ core, p, params, body: b }) => outcome(await obm.powerCycle(core, p, params.node!, b.force ?? false), false));
  r.on('POST', '/node/:node/power_on', NO_BODY, async ({ core, p, params }) => outcome(await obm.powerOn(core, p, params.node!), false));
  r.on('POST', '/node/:node/power_off', NO_BODY, async ({ core, p, params }) => outcome(await obm.powerOff(core, p, params.node!), false));
  r.on('GET', '/node/:node/power_status', NO_BODY, async ({ core, p, params }) => outcome(await obm.powerStatus(core, p, params.node!), true));
  r.on('PUT', '/node/:node/boot_device', body({ bootdev: 'string' }),
    async ({ core, p, params, body: b }) => outcome(await obm.setBootdev(core, p, params.node!, b.bootdev), false));
  r.on('GET', '/node/:node/console', NO_BODY, async ({ core, p, params, source }) => {
    const o = await obm.openConsole(core, { p, source }, params.node!, 'read-only');
    return 'redirect' in o ? o : { stream: o.value.stream };
  });
  r.on('GET', '/obm_audit', NO_BODY, ({ core, p, query }) => json(listObmAudit(core, p, query.node)), ['node']);

  r.on('POST', '/node/:node/nic/:nic/connect_network', body({ network: 'string' }, { channel: 'string' }),
    ({ core, p, params, body: b }) => json({ status_id: actions.connectNetwork(core, p, params.node!, params.nic!, b.network, b.channel) }, 202));
  r.on('POST', '/node/:node/nic/:nic/detach_network', body({ network: 'string' }),
    ({ core, p, params, body: b }) => json({ status_id: actions.detachNetwork(core, p, params.node!, params.nic!, b.network) }, 202));
  r.on('GET', '/networking_action/:id', NO_BODY, ({ core, p, params }) => json(actions.showAction(core, p, params.id!)));
  r.on('GET', '/networking_action/:id/details', NO_BODY, ({ core, p, params }) => json(actions.showActionDetails(core, p, params.id!)));
}
