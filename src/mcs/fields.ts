// Typed reads of one field of a loose object, each failing with an InputError that names the field.

import { isRecord } from './kube-objects.ts';
import { InputError } from './names.ts';

export class FieldReader {
  readonly object: string;
  constructor(object: string) {
    this.object = object;
  }

  fail(field: string, detail: string): never {
    throw new InputError(this.object, field, detail);
  }

  record(value: unknown, field: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) this.fail(field, 'must be an object');
    return value;
  }

  string(value: unknown, field: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(field, `must be a string, not ${typeof value}`);
    return value;
  }

  requiredString(value: unknown, field: string): string {
    const s = this.string(value, field);
    if (s === undefined || s === '') this.fail(field, 'is required');
    return s;
  }

  integer(value: unknown, field: string, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(field, 'must be an integer');
    if (value < min || value > max) this.fail(field, `must be between ${min} and ${max}, not ${value}`);
    return value;
  }

  boolean(value: unknown, field: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false');
    return value;
  }

  array(value: unknown, field: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(field, 'must be a list');
    return value;
  }

  stringMap(value: unknown, field: string): Record<string, string> {
    const rec = this.record(value, field);
    const out: Record<string, string> = {};
    if (!rec) return out;
    for (const [k, v] of Object.entries(rec)) {
      if (typeof v !== 'string') this.fail(`${field}.${k}`, 'must be a string');
      out[k] = v;
    }
    return out;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
    const s = this.string(value, field);
    if (s === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(s))
      this.fail(field, `must be one of ${allowed.join(', ')}, not "${s}"`);
    return s as T;
  }
}

/** Timestamps arrive as RFC 3339 strings (YAML, raw JSON) or as Date (client-node's typed models). */
export function readTimestamp(r: FieldReader, value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) r.fail(field, 'must be an RFC 3339 timestamp');
  return date.toISOString().replace(/\.000Z$/, 'Z');
}
