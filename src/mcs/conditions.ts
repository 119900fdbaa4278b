// ServiceExport and ServiceImport condition types and reasons, with the exact strings of KEP-1645 and
// mcs-api v1beta1 (reference/mcs-spec.md §1.3, §1.4), so that tools written against the spec read ours.
import type { Condition, ConditionStatus } from './types.ts';

export const ConditionType = {
  Valid: 'Valid',
  Ready: 'Ready',
  Conflict: 'Conflict',
} as const;

export const ValidReason = {
  Valid: 'Valid',
  NoService: 'NoService',
  InvalidServiceType: 'InvalidServiceType',
  /** Not in the KEP's list ("controllers may raise this condition with other reasons"): a Service we cannot express. */
  InvalidService: 'InvalidService',
  /** Ours too: the ServiceExport asks for something that cannot be written (an invalid exported label). */
  InvalidServiceExport: 'InvalidServiceExport',
} as const;

export const ReadyReason = {
  Exported: 'Exported',
  Ready: 'Ready',
  Pending: 'Pending',
  Failed: 'Failed',
} as const;

export const ConflictReason = {
  Port: 'PortConflict',
  Type: 'TypeConflict',
  SessionAffinity: 'SessionAffinityConflict',
  SessionAffinityConfig: 'SessionAffinityConfigConflict',
  Annotations: 'AnnotationsConflict',
  Labels: 'LabelsConflict',
  InternalTrafficPolicy: 'InternalTrafficPolicyConflict',
  TrafficDistribution: 'TrafficDistributionConflict',
  IPFamily: 'IPFamilyConflict',
  None: 'NoConflicts',
} as const;

export function condition(type: string, status: ConditionStatus, reason: string, message: string): Condition {
  return { type, status, reason, message };
}

/**
 * Carries lastTransitionTime over from the observed conditions while a condition's status is unchanged, and
 * stamps `now` where it changed: the rule of metav1.Condition, kept out of the pure merge so merges stay comparable.
 */
export function stampTransitions(
  desired: Condition[],
  observed: readonly Condition[] | undefined,
  now: string,
): Condition[] {
  return desired.map((c) => {
    const old = observed?.find((o) => o.type === c.type);
    const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return { ...c, lastTransitionTime };
  });
}
