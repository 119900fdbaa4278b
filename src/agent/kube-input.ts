// Wiring of the agent to a real cluster with the project's reflector: ServiceImports and MCS EndpointSlices are
// listed and watched (relists arrive whole, as Replace); the agent's own Node is read by name every
// nodeRefreshMs (only its zone label matters, and one GET scales better than watching every Node). Also a Lease
// API over the same client for the status reporter.
import type { V1Lease } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.ts';
import { Reflector, type ReflectorEvent } from '../kube/reflector.ts';
import { RESOURCES } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import type { KubeObject } from '../mcs/kube-objects.ts';
import { SERVICE_NAME_LABEL } from '../noderules/from-import.ts';
import { createEventQueue } from './event-queue.ts';
import type { AgentEvent, AgentInput, WatchedKind } from './input.ts';
import type { LeaseApi } from './lease-status.ts';

export interface KubeAgentInput {
  input: AgentInput;
  start(): void;
  stop(): Promise<void>;
  /** Both watches are healthy and the Node was read. */
  healthy(): boolean;
}

export function kubeAgentInput(options: {
  client: KubeClient;
  nodeName: string;
  logger: Logger;
  nodeRefreshMs?: number;
}): KubeAgentInput {
  const queue = createEventQueue();
  const toEvent = (kind: WatchedKind, e: ReflectorEvent): AgentEvent =>
    e.type === 'replace'
      ? { type: 'Replace', kind, objects: e.objects }
      : { type: e.type === 'upsert' ? 'Upsert' : 'Delete', kind, object: e.object };
  const reflectors = [
    new Reflector({
      client: options.client,
      resource: RESOURCES.ServiceImport,
      logger: options.logger,
      onEvent: (e) => queue.push(toEvent('ServiceImport', e)),
    }),
    new Reflector({
      client: options.client,
      resource: RESOURCES.EndpointSlice,
      // Only the MCS slices (the controller's writers label them); a cluster's own slices are not read.
      labelSelector: SERVICE_NAME_LABEL,
      logger: options.logger,
      onEvent: (e) => queue.push(toEvent('EndpointSlice', e)),
    }),
  ];
  let nodeVersion: string | undefined;
  let nodeTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const readNode = async (): Promise<void> => {
    try {
      const node = await options.client.request<KubeObject>(
        'GET',
        `/api/v1/nodes/${encodeURIComponent(options.nodeName)}`,
      );
      const version = typeof node.metadata?.resourceVersion === 'string' ? node.metadata.resourceVersion : '';
      if (version !== nodeVersion) {
        nodeVersion = version;
        queue.push({ type: 'Node', object: node });
      }
    } catch (error) {
      options.logger.warn('cannot read this node', {
        node: options.nodeName,
        err: error instanceof Error ? error.message : String(error),
      });
    }
    if (!stopped)
      nodeTimer = setTimeout(
        () => void readNode(),
        nodeVersion === undefined ? 2_000 : (options.nodeRefreshMs ?? 30_000),
      );
  };
  return {
    input: queue,
    start() {
      for (const r of reflectors) r.start();
      void readNode();
    },
    async stop() {
      stopped = true;
      clearTimeout(nodeTimer);
      await Promise.all(reflectors.map((r) => r.stop()));
      queue.end();
    },
    healthy: () => nodeVersion !== undefined && reflectors.every((r) => r.healthy),
  };
}

/** coordination.k8s.io/v1 Leases through the project's client, in the shape LeaseStatusReporter uses. */
export function leaseApi(client: KubeClient): LeaseApi {
  const path = (namespace: string, name?: string) =>
    `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  return {
    readNamespacedLease: ({ name, namespace }) => client.request<V1Lease>('GET', path(namespace, name)),
    createNamespacedLease: ({ namespace, body }) => client.request<V1Lease>('POST', path(namespace), { body }),
    replaceNamespacedLease: ({ name, namespace, body }) =>
      client.request<V1Lease>('PUT', path(namespace, name), { body }),
  };
}
