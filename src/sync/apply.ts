// One server-side apply or delete of one object in one member cluster, shared by every writer: our field
// manager, the write counted, and the API server's answer recorded at once in the observed objects, so that a
// reconcile running before our own watch event compares with what is really there (no double writes).
import { KubeApiError } from '../kube/client.ts';
import { objectPath, type Resource } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import type { KubeObject } from '../mcs/kube-objects.ts';
import { FIELD_MANAGER } from '../mcs/ownership.ts';
import type { ControllerMetrics } from '../metrics.ts';
import type { KubeSource } from '../sources/kube-source.ts';

const APPLY = 'application/apply-patch+yaml';

export interface WriteTarget {
  source: KubeSource;
  metrics: ControllerMetrics;
  log: Logger;
}

export interface ObjectRef {
  resource: Resource;
  namespace: string;
  name: string;
  subresource?: string;
}

/** A namespace being deleted refuses new objects; its namespace event merges the key again later. */
function namespaceTerminating(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 403 && /being terminated/.test(err.message);
}

export async function serverSideApply(t: WriteTarget, ref: ObjectRef, body: object, force = true): Promise<void> {
  const kind = ref.subresource ? `${ref.resource.kind}/${ref.subresource}` : ref.resource.kind;
  try {
    const written = await t.source.client.request<KubeObject>(
      'PATCH',
      objectPath(ref.resource, ref.namespace, ref.name, ref.subresource),
      {
        query: { fieldManager: FIELD_MANAGER, force },
        body,
        contentType: APPLY,
      },
    );
    if (written) t.source.observed.upsert(written);
    t.metrics.writes.inc({ cluster: t.source.name, kind, verb: 'apply' });
    t.log.debug('applied', { cluster: t.source.name, kind, key: `${ref.namespace}/${ref.name}` });
  } catch (err) {
    t.metrics.writeErrors.inc({ cluster: t.source.name, kind: ref.resource.kind });
    if (namespaceTerminating(err)) return;
    throw err;
  }
}

/** Deletes one object; one that is already gone is fine. */
export async function deleteObject(t: WriteTarget, ref: ObjectRef): Promise<void> {
  try {
    await t.source.client.request('DELETE', objectPath(ref.resource, ref.namespace, ref.name));
    t.metrics.writes.inc({ cluster: t.source.name, kind: ref.resource.kind, verb: 'delete' });
    t.log.debug('deleted', { cluster: t.source.name, kind: ref.resource.kind, key: `${ref.namespace}/${ref.name}` });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 404)) {
      t.metrics.writeErrors.inc({ cluster: t.source.name, kind: ref.resource.kind });
      throw err;
    }
  }
  t.source.observed.delete({ kind: ref.resource.kind, metadata: { namespace: ref.namespace, name: ref.name } });
}
