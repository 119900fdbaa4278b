// Desired versus observed, for the objects we write. Every object we apply carries a hash of what we
// applied (labels, annotations, spec or endpoints); it survives restarts, so an unchanged clusterset costs
// zero writes after a restart, and edits by others to the fields we own are still seen through the
// content comparison.
import { fnv1a64 } from '../mcs/hash.ts';
import { isRecord } from '../mcs/kube-objects.ts';
import type { Condition } from '../mcs/types.ts';

export const APPLIED_HASH_ANNOTATION = 'clusterset.io/applied-hash';

/** JSON with sorted keys: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function appliedHash(obj: Record<string, unknown>): string {
  return fnv1a64(canonicalJson(obj)).toString(36);
}

/** The desired object with our applied-hash annotation added (over its content, not the annotation). */
export function withAppliedHash<T extends { metadata: { annotations?: Record<string, string> } }>(
  desired: T,
  content: unknown,
): T {
  const hash = appliedHash({
    content,
    labels: (desired.metadata as { labels?: unknown }).labels,
    annotations: desired.metadata.annotations ?? {},
  });
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...(desired.metadata.annotations ?? {}), [APPLIED_HASH_ANNOTATION]: hash },
    },
  };
}

export function observedHash(obj: { metadata?: { annotations?: unknown } } | undefined): string | undefined {
  const a = obj?.metadata?.annotations;
  return isRecord(a) && typeof a[APPLIED_HASH_ANNOTATION] === 'string' ? a[APPLIED_HASH_ANNOTATION] : undefined;
}

/** Conditions compared on what they say, not on when they changed. */
export function sameConditions(desired: readonly Condition[], observed: readonly unknown[]): boolean {
  if (desired.length !== observed.length) return false;
  return desired.every((d) =>
    observed.some(
      (o) =>
        isRecord(o) && o.type === d.type && o.status === d.status && o.reason === d.reason && o.message === d.message,
    ),
  );
}

/** The observed conditions, typed, for carrying lastTransitionTime over. */
export function asConditions(observed: readonly unknown[]): Condition[] {
  return observed.filter(isRecord).map((o) => ({
    type: String(o.type),
    status: o.status === 'True' || o.status === 'False' ? o.status : 'Unknown',
    reason: String(o.reason ?? ''),
    message: String(o.message ?? ''),
    lastTransitionTime: typeof o.lastTransitionTime === 'string' ? o.lastTransitionTime : undefined,
  }));
}
