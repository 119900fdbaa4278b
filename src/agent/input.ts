// What the agent reads from its cluster, as an abstract stream: the kube reflector (list+watch) or a test feeds it.
// A full list (first, or after a lost watch) is a Replace; watch events are Upsert/Delete. The agent programs
// nothing until it has seen a Replace of both kinds and its Node: a cluster not yet read is never "no services".
import type { KubeObject } from '../mcs/kube-objects.ts';

export type WatchedKind = 'ServiceImport' | 'EndpointSlice';

export type AgentEvent =
  | { type: 'Replace'; kind: WatchedKind; objects: KubeObject[] }
  | { type: 'Upsert'; kind: WatchedKind; object: KubeObject }
  | { type: 'Delete'; kind: WatchedKind; object: KubeObject }
  | { type: 'Node'; object: KubeObject };

export type AgentInput = AsyncIterable<AgentEvent>;
