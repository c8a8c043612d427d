// Register-time validation of driver fields (switch and OBM drivers).
import { BadArgumentError } from '../errors.js';

/** One driver field: its type, whether it is required, a default, and whether it is a secret. */
export interface FieldSpec {
  type: 'string' | 'integer';
  required?: boolean;
  default?: string | number;
  secret?: boolean;
  /** For integers: inclusive bounds. */
  min?: number; max?: number;
}

/** A registered driver's field values by field name. */
export type FieldValues = Record<string, string | number>;

/**
 * The field values of a registered driver from the JSON text the inventory stores (written by
 * register from validated fields); an Error if the text holds anything else.
 */
export function storedFields(config: string): FieldValues {
  const parsed: unknown = JSON.parse(config);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('stored driver config is not a JSON object');
  const out: FieldValues = {};
  for (const [key, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`stored driver config: field "${key}" is neither a string nor a number`);
    out[key] = v;
  }
  return out;
}

/**
 * The value under `key` if `record` has it as its own property: a name from a
 * request ("constructor", "__proto__") never reaches Object.prototype.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * Check `given` (the body minus `type`) against `spec`: unknown, missing and
 * wrong-typed fields are BadArgumentErrors naming the field. Returns the
 * values with defaults filled in.
 */
export function validateFields(what: string, spec: Record<string, FieldSpec>, given: Record<string, unknown>): FieldValues {
  const out: FieldValues = {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(spec, key)) throw new BadArgumentError(`${what}: unknown field "${key}" (fields: ${Object.keys(spec).join(', ')})`);
  }
  for (const [key, f] of Object.entries(spec)) {
    const v = ownValue(given, key);
    if (v === undefined) {
      if (f.required) throw new BadArgumentError(`${what}: missing field "${key}"`);
      if (f.default !== undefined) out[key] = f.default;
      continue;
    }
    if (f.type === 'string') {
      if (typeof v !== 'string') throw new BadArgumentError(`${what}: field "${key}" must be a string`);
      out[key] = v;
    } else {
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new BadArgumentError(`${what}: field "${key}" must be an integer`);
      if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
        throw new BadArgumentError(`${what}: field "${key}" must be within ${f.min}-${f.max}`);
      }
      out[key] = n;
    }
  }
  return out;
}
