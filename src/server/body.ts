// Request body validation: one schema per route, checked at the edge so
// that everything after works on typed values (SPEC.md 3.8). A field may hold
// a nested object with its own schema (node_register's `obm` and `obmd`).
import { ValidationError } from '../errors.js';

type Kind = 'string' | 'boolean' | 'object' | 'any';
/** What a field holds: a value of a kind, or an object checked by its own schema. */
type Field = Kind | BodySchema;
type TypeOf<F extends Field> = F extends 'string' ? string : F extends 'boolean' ? boolean
  : F extends 'object' ? Record<string, unknown> : F extends BodySchema ? BodyOf<F> : unknown;

/** A body schema: required and optional fields and what they hold. */
export interface BodySchema<R extends Record<string, Field> = Record<string, Field>, O extends Record<string, Field> = Record<string, Field>,
  Open extends boolean = boolean> {
  required: R;
  optional: O;
  /** Accept other keys too (driver fields checked by the driver). */
  open: Open;
}

/** The typed body a schema accepts (an open one: with any other keys, unchecked). */
export type BodyOf<S> = S extends BodySchema<infer R, infer O, infer Open>
  ? { [K in keyof R]: TypeOf<R[K]> } & { [K in keyof O]?: TypeOf<O[K]> } & (Open extends true ? Record<string, unknown> : unknown)
  : never;

/** Make a schema. */
export function body<R extends Record<string, Field>, O extends Record<string, Field> = {}>(required: R, optional?: O): BodySchema<R, O, false> {
  return { required, optional: optional ?? ({} as O), open: false };
}

/** A schema that also takes any other keys, for driver fields. */
export function openBody<R extends Record<string, Field>>(required: R): BodySchema<R, {}, true> {
  return { required, optional: {}, open: true };
}

/** The schema of routes that take no fields: no body or `{}`. */
export const NO_BODY = body({});

function kindOf(v: unknown): Kind | 'array' | 'null' | 'number' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'object' ? 'object' : (t as Kind | 'number');
}

/** Parse and check a raw body text against a schema. Empty text = `{}`. */
export function parseBody<S extends BodySchema>(schema: S, text: string): BodyOf<S> {
  let value: unknown = {};
  if (text.trim() !== '') {
    try { value = JSON.parse(text); } catch { throw new ValidationError('The request body is not valid JSON.'); }
  }
  if (!isObject(value)) throw new ValidationError('The request body must be a JSON object.');
  return checked(schema, value, null);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return kindOf(v) === 'object';
}

/** Check an object against a schema; `nested` names the field that holds it (null: the body itself). */
function checked<S extends BodySchema>(schema: S, obj: Record<string, unknown>, nested: string | null): BodyOf<S> {
  const where = nested === null ? 'the request body' : `"${nested}"`;
  // Own properties only: a body key "constructor" or "__proto__" is an unknown field like any other.
  for (const key of schema.open ? [] : Object.keys(obj)) {
    if (!Object.hasOwn(schema.required, key) && !Object.hasOwn(schema.optional, key)) throw new ValidationError(`Unexpected field "${key}" in ${where}.`);
  }
  for (const [key, field] of Object.entries(schema.required)) {
    if (!Object.hasOwn(obj, key)) throw new ValidationError(`Missing field "${key}" in ${where}.`);
    checkField(key, nested, field, obj[key]);
  }
  for (const [key, field] of Object.entries(schema.optional)) {
    if (Object.hasOwn(obj, key)) checkField(key, nested, field, obj[key]);
  }
  return obj as BodyOf<S>;
}

function checkField(key: string, nested: string | null, field: Field, v: unknown): void {
  const kind = typeof field === 'string' ? field : 'object';
  if (kind !== 'any' && kindOf(v) !== kind) {
    throw new ValidationError(`Field "${key}"${nested === null ? '' : ` in "${nested}"`} must be ${kind === 'object' ? 'an object' : `a ${kind}`}.`);
  }
  if (typeof field !== 'string' && isObject(v)) checked(field, v, key);
}

/** A JSON Schema type name. */
export type JsonType = 'string' | 'boolean' | 'object' | 'array' | 'integer' | 'number' | 'null';

/** The part of JSON Schema (2020-12) the API document uses. */
export interface JsonSchema {
  type?: JsonType | JsonType[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  $ref?: string;
}

/** The JSON Schema that accepts exactly the bodies parseBody accepts (`any` fields: any JSON value). */
export function jsonSchemaOf(schema: BodySchema): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [key, field] of [...Object.entries(schema.required), ...Object.entries(schema.optional)]) properties[key] = fieldSchema(field);
  const required = Object.keys(schema.required);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: schema.open };
}

function fieldSchema(field: Field): JsonSchema {
  if (typeof field !== 'string') return jsonSchemaOf(field);
  return field === 'any' ? {} : { type: field };
}
