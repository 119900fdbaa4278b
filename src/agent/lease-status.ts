// Status as a Lease per node (`clusterset-agent-<node>` in the agent's namespace): renewed while the agent lives,
// annotated with the applied generation and health, so `kubectl get lease -l app.kubernetes.io/name=clusterset-agent`
// shows which nodes are programmed, and a Lease that is not renewed shows an agent that is gone.
import { ApiException, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { AgentStatus, StatusReporter } from './status.ts';

/** The subset of client-node's CoordinationV1Api (object-style) the reporter uses. */
export interface LeaseApi {
  readNamespacedLease(param: { name: string; namespace: string }): Promise<V1Lease>;
  createNamespacedLease(param: { namespace: string; body: V1Lease }): Promise<V1Lease>;
  replaceNamespacedLease(param: { name: string; namespace: string; body: V1Lease }): Promise<V1Lease>;
}

export const STATUS_ANNOTATION_PREFIX = 'clusterset.io/';

export function leaseName(nodeName: string): string {
  return `clusterset-agent-${nodeName}`;
}

export function leaseFor(status: AgentStatus, namespace: string, durationSeconds: number, now: Date): V1Lease {
  const annotations: Record<string, string> = {
    [`${STATUS_ANNOTATION_PREFIX}applied-generation`]: String(status.generation),
    [`${STATUS_ANNOTATION_PREFIX}healthy`]: String(status.healthy),
    [`${STATUS_ANNOTATION_PREFIX}synced`]: String(status.synced),
    [`${STATUS_ANNOTATION_PREFIX}services`]: String(status.services),
  };
  if (status.lastApply !== undefined) annotations[`${STATUS_ANNOTATION_PREFIX}last-apply`] = status.lastApply;
  if (status.lastError !== undefined)
    annotations[`${STATUS_ANNOTATION_PREFIX}last-error`] = status.lastError.slice(0, 1000);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: leaseName(status.nodeName),
      namespace,
      labels: { 'app.kubernetes.io/name': 'clusterset-agent', 'app.kubernetes.io/component': 'node-agent' },
      annotations,
    },
    spec: {
      holderIdentity: status.nodeName,
      leaseDurationSeconds: durationSeconds,
      renewTime: new V1MicroTime(now.getTime()),
    },
  };
}

export class LeaseStatusReporter implements StatusReporter {
  private readonly api: LeaseApi;
  private readonly namespace: string;
  private readonly durationSeconds: number;

  constructor(options: { api: LeaseApi; namespace: string; durationSeconds?: number }) {
    this.api = options.api;
    this.namespace = options.namespace;
    this.durationSeconds = options.durationSeconds ?? 40;
  }

  async report(status: AgentStatus): Promise<void> {
    const body = leaseFor(status, this.namespace, this.durationSeconds, new Date());
    const name = leaseName(status.nodeName);
    let existing: V1Lease | undefined;
    try {
      existing = await this.api.readNamespacedLease({ name, namespace: this.namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (existing === undefined) {
      await this.api.createNamespacedLease({ namespace: this.namespace, body });
      return;
    }
    // Replace with the read resourceVersion: a concurrent writer (an old pod of this DaemonSet) makes it fail with a
    // conflict instead of being overwritten silently; the next report retries.
    body.metadata = { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion };
    await this.api.replaceNamespacedLease({ name, namespace: this.namespace, body });
  }
}

/** 404 from client-node (ApiException.code) or from the project's client (KubeApiError.status). */
function isNotFound(error: unknown): boolean {
  if (error instanceof ApiException) return error.code === 404;
  return error instanceof Error && (error as Error & { status?: unknown }).status === 404;
}
