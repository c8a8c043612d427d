// Request body validation: one schema per route, checked at the edge so
// that everything after works on typed values (SPEC.md 3.8).
import { ValidationError } from '../errors.js';

type Kind = 'string' | 'boolean' | 'object' | 'any';
type TypeOf<K extends Kind> = K extends 'string' ? string : K extends 'boolean' ? boolean
  : K extends 'object' ? Record<string, unknown> : unknown;

/** A body schema: required and optional top-level fields and their kinds. */
export interface BodySchema<R extends Record<string, Kind> = Record<string, Kind>, O extends Record<string, Kind> = Record<string, Kind>> {
  required: R;
  optional: O;
  /** Accept other keys too (driver fields checked by the driver). */
  open?: boolean;
}

/** The typed body a schema accepts. */
export type BodyOf<S> = S extends BodySchema<infer R, infer O>
  ? { [K in keyof R]: TypeOf<R[K]> } & { [K in keyof O]?: TypeOf<O[K]> }
  : never;

/** Make a schema. */
export function body<R extends Record<string, Kind>, O extends Record<string, Kind> = {}>(required: R, optional?: O): BodySchema<R, O> {
  return { required, optional: optional ?? ({} as O) };
}

/** A schema that also takes any other keys, for driver fields. */
export function openBody<R extends Record<string, Kind>>(required: R): BodySchema<R, {}> {
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
  if (kindOf(value) !== 'object') throw new ValidationError('The request body must be a JSON object.');
  const obj = value as Record<string, unknown>;
  // Own properties only: a body key "constructor" or "__proto__" is an unknown field like any other.
  for (const key of schema.open ? [] : Object.keys(obj)) {
    if (!Object.hasOwn(schema.required, key) && !Object.hasOwn(schema.optional, key)) throw new ValidationError(`Unexpected field "${key}" in the request body.`);
  }
  for (const [key, kind] of Object.entries(schema.required)) {
    if (!Object.hasOwn(obj, key)) throw new ValidationError(`Missing field "${key}" in the request body.`);
    checkKind(key, kind, obj[key]);
  }
  for (const [key, kind] of Object.entries(schema.optional)) {
    if (Object.hasOwn(obj, key)) checkKind(key, kind, obj[key]);
  }
  return obj as BodyOf<S>;
}

function checkKind(key: string, kind: Kind, v: unknown): void {
  if (kind !== 'any' && kindOf(v) !== kind) throw new ValidationError(`Field "${key}" must be ${kind === 'object' ? 'an object' : `a ${kind}`}.`);
}

/** Check the keys of a nested object: exactly `required` plus any of `optional`, all strings unless listed in `kinds`. */
export function checkNested(what: string, v: Record<string, unknown>, required: string[], optional: string[] = []): void {
  for (const k of Object.keys(v)) if (!required.includes(k) && !optional.includes(k)) throw new ValidationError(`Unexpected field "${k}" in "${what}".`);
  for (const k of required) {
    if (!Object.hasOwn(v, k)) throw new ValidationError(`Missing field "${k}" in "${what}".`);
    if (typeof v[k] !== 'string') throw new ValidationError(`Field "${k}" in "${what}" must be a string.`);
  }
}
