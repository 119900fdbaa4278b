// A Source turns one member cluster (a real API server, or a folder of manifests) into normalised facts.
// A source that has not synced is never read as "this cluster exports nothing": callers check synced().
import type { ClusterFacts, ClusterId, ServiceKey } from '../mcs/types.ts';

export type SourceEvent =
  /** The facts of one service changed in this cluster. */
  | { type: 'service'; key: ServiceKey }
  /** A namespace appeared or went: every service of that namespace may gain or lose this importer. */
  | { type: 'namespace'; namespace: string }
  /** The cluster's id changed (ClusterProperty): every service this cluster touches must be merged again. */
  | { type: 'clusterId'; previous: ClusterId; current: ClusterId }
  /** synced() changed. */
  | { type: 'sync'; synced: boolean }
  /** healthy() changed: the cluster became unreachable, or came back. */
  | { type: 'health'; healthy: boolean };

export interface InputProblem {
  /** Where the bad input is: a file path, or the API server's resource. */
  where: string;
  /** `Kind namespace/name` when the object could be identified. */
  object?: string;
  message: string;
}

export interface Source {
  /** The configured name: the cluster id unless a ClusterProperty says otherwise. */
  readonly name: string;
  clusterId(): ClusterId;
  synced(): boolean;
  /** False while the cluster cannot be reached (its last known facts stay in use). */
  healthy(): boolean;
  on(listener: (event: SourceEvent) => void): () => void;
  snapshot(key: ServiceKey): ClusterFacts;
  /** Every key this cluster has an export, a Service or endpoints for. */
  keys(): Iterable<ServiceKey>;
  /** Keys with a ServiceExport in this namespace. */
  exportedKeysIn(namespace: string): Iterable<ServiceKey>;
  namespaceExists(namespace: string): boolean;
  /** How many ServiceExports the cluster has now. */
  exportCount(): number;
  problems(): readonly InputProblem[];
  /** ClusterSetIPs found on ServiceImports this cluster already holds, to keep them across restarts. */
  existingClusterSetIPs?(): Iterable<[ServiceKey, string[]]>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
