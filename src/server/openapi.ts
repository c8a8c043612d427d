// The OpenAPI 3.1 document of the API, generated from the route table (src/server/app.ts's
// declareRoutes) and the body schemas (src/server/body.ts), so it cannot drift from what is served.
// Served at GET /v0/openapi.json and printed by `haas api-doc`.
import { VERSION } from '../version.js';
import { AUDITED_ROUTES } from './audit-ops.js';
import { jsonSchemaOf, type JsonSchema } from './body.js';
import type { RouteDef } from './router.js';

/** A response of an operation. */
interface ResponseObject { description: string; content?: Record<string, { schema: JsonSchema }> }

/** A path or query parameter. */
interface Parameter { name: string; in: 'path' | 'query'; required: boolean; description?: string; schema: JsonSchema }

/** One operation of the document. */
export interface Operation {
  operationId: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, ResponseObject>;
}

/** The API document: OpenAPI 3.1, paths relative to the server URL `/v0`. */
export interface ApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string; description: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, { type: 'http'; scheme: string; description: string }> };
  security: Array<Record<string, string[]>>;
}

/** SPEC.md section 2: every error is `{"type", "msg"}` with the status of its class. */
const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    type: { type: 'string', description: 'The error class, e.g. NotFoundError.' },
    msg: { type: 'string', description: 'What went wrong, in words.' },
  },
  required: ['type', 'msg'],
  additionalProperties: false,
};

/** The error answers every authenticated route may give, by status (SPEC.md section 2). */
const ERRORS: Record<string, string> = {
  400: 'BadArgumentError or ValidationError: a malformed body, a wrong field type, an unknown field or query parameter.',
  401: 'AuthorizationError: missing or invalid credentials, or not allowed.',
  404: 'NotFoundError: a named object does not exist.',
  405: 'MethodNotAllowedError: the path takes other methods.',
  409: 'DuplicateError, ProjectMismatchError, BlockedError, IllegalStateError or AllocationError: the state does not allow the call.',
  413: 'PayloadTooLargeError: the body exceeds 1 MiB.',
  429: 'RateLimitError: too many failed logins or open streams from this source.',
  502: 'SwitchError, OBMError or MaintenancePoolError: a device or outside service failed; the message says what it said.',
  503: 'StorageError: the database could not make the change durable.',
};

/** The errors a public route may give: it takes no credentials and no body. */
const PUBLIC_ERRORS = ['405', '503'];

const STRINGS: JsonSchema = { type: 'array', items: { type: 'string' } };
const NULLABLE_STRING: JsonSchema = { type: ['string', 'null'] };

/** A JSON object with exactly these keys (all present). */
function exactly(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/**
 * The success answers of SPEC.md section 3 whose shapes are fixed, by route: the document describes
 * these; test/openapi.test.ts checks a real answer of each route against its schema.
 */
export const ANSWERS: Readonly<Record<string, { status: string; schema: JsonSchema }>> = {
  'GET /projects': { status: '200', schema: STRINGS },
  'GET /project/:project/nodes': { status: '200', schema: STRINGS },
  'GET /project/:project/networks': { status: '200', schema: STRINGS },
  'GET /project/:project/headnodes': { status: '200', schema: STRINGS },
  'GET /nodes/:which': { status: '200', schema: STRINGS },
  'GET /switches': { status: '200', schema: STRINGS },
  'GET /node/:node': {
    status: '200',
    schema: exactly({
      name: { type: 'string' }, project: NULLABLE_STRING,
      nics: {
        type: 'array',
        items: {
          type: 'object', required: ['label', 'macaddr', 'networks'], additionalProperties: false,
          properties: {
            label: { type: 'string' }, macaddr: { type: 'string' },
            networks: { type: 'object', additionalProperties: { type: 'string' }, description: 'channel -> network' },
            port: { ...NULLABLE_STRING, description: 'Admins only.' }, switch: { ...NULLABLE_STRING, description: 'Admins only.' },
          },
        },
      },
      metadata: { type: 'object', additionalProperties: { type: 'string' }, description: 'label -> the JSON text of the value' },
    }),
  },
  'GET /node/:node/power_status': { status: '200', schema: exactly({ power_status: { type: 'string' } }) },
  'POST /node/:node/nic/:nic/connect_network': { status: '202', schema: exactly({ status_id: { type: 'string' } }) },
  'POST /node/:node/nic/:nic/detach_network': { status: '202', schema: exactly({ status_id: { type: 'string' } }) },
  'GET /networking_action/:id': {
    status: '200',
    schema: exactly({
      status: { type: 'string' }, node: { type: 'string' }, nic: { type: 'string' }, type: { type: 'string' },
      channel: { type: 'string' }, new_network: NULLABLE_STRING,
    }),
  },
  'GET /whoami': { status: '200', schema: exactly({ user: NULLABLE_STRING, is_admin: { type: 'boolean' }, projects: STRINGS }) },
  'GET /health': { status: '200', schema: exactly({ status: { type: 'string' }, version: { type: 'string' }, schema_version: { type: 'integer' } }) },
};

/** `/node/:node/nic/:nic` and `:port{.+}` as OpenAPI writes them: `/node/{node}/nic/{nic}`. */
function templateOf(path: string): string {
  return path.replace(/:([a-z_]+)(\{[^}]*\})?/gi, '{$1}');
}

/** The path parameters of a Hono path, with whether each may hold slashes (`:port{.+}`). */
function pathParameters(path: string): Parameter[] {
  return [...path.matchAll(/:([a-z_]+)(\{[^}]*\})?/gi)].map((m) => ({
    name: m[1]!, in: 'path', required: true, schema: { type: 'string' },
    ...(m[2] === undefined ? {} : { description: 'May contain slashes (written as they are, not encoded).' }),
  }));
}

/** A stable name for an operation: the audit trail's name for a write, `get_` and the path's words for a read. */
function operationIdOf(def: RouteDef): string {
  const audited = AUDITED_ROUTES[`${def.method} ${def.path}`];
  if (audited) return audited.operation;
  const words = def.path.split('/').filter((w) => w !== '').map((w) => w.replace(/^:([a-z_]+).*$/i, 'by_$1').replace(/[^a-z0-9_]/gi, '_'));
  return [def.method.toLowerCase(), ...words].join('_');
}

function operationOf(def: RouteDef): Operation {
  const parameters = [
    ...pathParameters(def.path),
    ...def.queryKeys.map((name): Parameter => ({ name, in: 'query', required: false, schema: { type: 'string', description: 'Not empty.' } })),
  ];
  const bodySchema = jsonSchemaOf(def.schema);
  const takesBody = def.method !== 'GET' && Object.keys(bodySchema.properties ?? {}).length + (def.schema.open ? 1 : 0) > 0;
  const errors = def.public ? PUBLIC_ERRORS : Object.keys(ERRORS);
  const answer = ANSWERS[`${def.method} ${def.path}`];
  const responses: Record<string, ResponseObject> = answer ? {
    [answer.status]: { description: 'The answer.', content: { 'application/json': { schema: answer.schema } } },
  } : {
    '2XX': {
      description: def.method === 'GET'
        ? 'The answer, as JSON (a console is a byte stream; an OBM managed by obmd answers 307 to it).'
        : 'Done: an empty body or a JSON answer (202 with {"status_id"} for a queued networking action).',
    },
  };
  for (const status of errors) {
    responses[status] = { description: ERRORS[status]!, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: operationIdOf(def),
    tags: [def.path.split('/')[1] ?? ''],
    ...(def.public ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(takesBody ? {
      requestBody: { required: (bodySchema.required ?? []).length > 0, content: { 'application/json': { schema: bodySchema } } },
    } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the given routes (every route once, under its method and path template). */
export function apiDocument(routes: readonly RouteDef[]): ApiDocument {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const def of routes) (paths[templateOf(def.path)] ??= {})[def.method.toLowerCase()] = operationOf(def);
  return {
    openapi: '3.1.0',
    info: {
      title: 'haas',
      version: VERSION,
      description: 'Hardware as a Service: HIL\'s v0 REST API and haas\'s extensions. Every route is also served without the /v0 prefix.'
        + ' A write without a body takes `{}` or no body at all; bodies are JSON objects (Content-Type application/json or none).',
    },
    servers: [{ url: '/v0', description: 'The daemon (unix socket or TCP listener)' }],
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic', description: 'A user of the database auth backend (not needed under the null backend).' },
      },
    },
    security: [{ basic: [] }],
  };
}
