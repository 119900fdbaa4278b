// The loose shape of a Kubernetes object as it comes from YAML or from the API server. Normalisers read it
// field by field and check every type, so that nothing downstream sees an unchecked value.

export interface ObjectMeta {
  name?: unknown;
  namespace?: unknown;
  creationTimestamp?: unknown;
  generation?: unknown;
  resourceVersion?: unknown;
  uid?: unknown;
  labels?: unknown;
  annotations?: unknown;
}

export interface KubeObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function kindOf(obj: KubeObject): string {
  return typeof obj.kind === 'string' ? obj.kind : '<no kind>';
}

/** `Kind namespace/name` (or `Kind name`) for messages. */
export function describe(obj: KubeObject): string {
  const meta = obj.metadata ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '<no name>';
  return typeof meta.namespace === 'string' ? `${kindOf(obj)} ${meta.namespace}/${name}` : `${kindOf(obj)} ${name}`;
}
