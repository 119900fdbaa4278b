// Writes one service's desired objects into one member cluster: its ServiceImport (spec, then status), its
// MCS EndpointSlices, and the status of its own ServiceExport. Server-side apply with one field manager,
// only where desired differs from observed; deletes only objects that carry our label.

import { RESOURCES, type Resource } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import { stampTransitions } from '../mcs/conditions.ts';
import type { KubeObject } from '../mcs/kube-objects.ts';
import { isRecord } from '../mcs/kube-objects.ts';
import type { MergeResult } from '../mcs/merge.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../mcs/ownership.ts';
import { desiredForCluster } from '../mcs/render/cluster-objects.ts';
import type { EndpointSliceObject } from '../mcs/render/endpointslices.ts';
import type { ServiceImportObject } from '../mcs/render/serviceimport.ts';
import type { ServiceKey } from '../mcs/types.ts';
import type { ControllerMetrics } from '../metrics.ts';
import type { KubeSource } from '../sources/kube-source.ts';
import { labelsOf } from '../sources/observed.ts';
import { deleteObject, serverSideApply } from './apply.ts';
import type { ViewSink } from './controller.ts';
import { asConditions, canonicalJson, observedHash, sameConditions, withAppliedHash } from './diff.ts';

export class MemberWriters implements ViewSink {
  readonly name = 'member-writers';
  readonly #sources: readonly KubeSource[];
  readonly #log: Logger;
  readonly #metrics: ControllerMetrics;
  readonly #now: () => string;

  constructor(
    sources: readonly KubeSource[],
    logger: Logger,
    metrics: ControllerMetrics,
    now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  ) {
    this.#sources = sources;
    this.#log = logger.child({ component: 'writer' });
    this.#metrics = metrics;
    this.#now = now;
  }

  async apply(result: MergeResult): Promise<void> {
    const failures: Error[] = [];
    await Promise.all(
      this.#sources.map(async (source) => {
        // An unreachable cluster is written when it comes back (every key is merged again then).
        if (!source.healthy()) return;
        try {
          await this.#write(source, result);
        } catch (err) {
          failures.push(err as Error);
        }
      }),
    );
    if (failures.length > 0)
      throw new AggregateError(failures, `${result.key}: ${failures.map((f) => f.message).join('; ')}`);
  }

  async #write(source: KubeSource, result: MergeResult): Promise<void> {
    const key = result.key;
    const now = this.#now();
    const desired = desiredForCluster(result, source.clusterId(), (k) => source.snapshot(k).export, now);
    const obs = source.observed;

    const si = desired.serviceImports[0];
    const observedImport = obs.imports.get(key);
    if (si) await this.#applyImport(source, si, observedImport, now);

    const wanted = new Set<string>();
    for (const slice of desired.endpointSlices) {
      wanted.add(slice.metadata.name);
      await this.#applySlice(source, slice, obs.slices.get(key)?.get(slice.metadata.name));
    }
    for (const [name, observed] of obs.slices.get(key) ?? []) {
      if (!wanted.has(name) && labelsOf(observed)[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) {
        await this.#delete(source, RESOURCES.EndpointSlice, namespaceOf(key), name);
      }
    }
    if (!si && observedImport && labelsOf(observedImport)[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) {
      await this.#delete(source, RESOURCES.ServiceImport, namespaceOf(key), nameOf(key));
    }

    const se = desired.serviceExports[0];
    const observedExport = obs.exports.get(key);
    if (se && observedExport && !sameConditions(se.status.conditions, observedExport.conditions)) {
      const conditions = stampTransitions(se.status.conditions, asConditions(observedExport.conditions), now);
      const resource = source.exportResource;
      await this.#ssa(
        source,
        resource,
        key,
        {
          apiVersion: `${resource.group}/${resource.version}`,
          kind: 'ServiceExport',
          metadata: { name: nameOf(key), namespace: namespaceOf(key) },
          status: { conditions },
        },
        'status',
      );
    }
  }

  async #applyImport(
    source: KubeSource,
    si: ServiceImportObject,
    observed: KubeObject | undefined,
    now: string,
  ): Promise<void> {
    const key: ServiceKey = `${si.metadata.namespace}/${si.metadata.name}`;
    const { status, ...main } = si;
    const body = withAppliedHash(main, main.spec);
    if (
      !observed ||
      observedHash(observed) !== observedHash(body) ||
      canonicalJson(observed.spec) !== canonicalJson(main.spec)
    ) {
      await this.#ssa(source, RESOURCES.ServiceImport, key, body);
    }
    const obsStatus = isRecord(observed?.status) ? observed.status : {};
    const obsConditions = Array.isArray(obsStatus.conditions) ? obsStatus.conditions : [];
    if (
      !observed ||
      canonicalJson(obsStatus.clusters ?? []) !== canonicalJson(status.clusters) ||
      !sameConditions(status.conditions, obsConditions)
    ) {
      await this.#ssa(
        source,
        RESOURCES.ServiceImport,
        key,
        {
          apiVersion: si.apiVersion,
          kind: 'ServiceImport',
          metadata: { name: si.metadata.name, namespace: si.metadata.namespace },
          status: {
            clusters: status.clusters,
            conditions: stampTransitions(status.conditions, asConditions(obsConditions), now),
          },
        },
        'status',
      );
    }
  }

  async #applySlice(source: KubeSource, slice: EndpointSliceObject, observed: KubeObject | undefined): Promise<void> {
    const content = { addressType: slice.addressType, ports: slice.ports, endpoints: slice.endpoints };
    const body = withAppliedHash(slice, content);
    const observedContent = observed && {
      addressType: observed.addressType,
      ports: observed.ports ?? [],
      endpoints: observed.endpoints ?? [],
    };
    if (
      observed &&
      observedHash(observed) === observedHash(body) &&
      canonicalJson(observedContent) === canonicalJson(content)
    )
      return;
    await this.#ssa(source, RESOURCES.EndpointSlice, `${slice.metadata.namespace}/${slice.metadata.name}`, body);
  }

  async #ssa(source: KubeSource, resource: Resource, key: string, body: object, subresource?: string): Promise<void> {
    const slash = key.indexOf('/');
    await serverSideApply(
      { source, metrics: this.#metrics, log: this.#log },
      { resource, namespace: key.slice(0, slash), name: key.slice(slash + 1), subresource },
      body,
    );
  }

  async #delete(source: KubeSource, resource: Resource, namespace: string, name: string): Promise<void> {
    await deleteObject({ source, metrics: this.#metrics, log: this.#log }, { resource, namespace, name });
  }
}

function namespaceOf(key: string): string {
  return key.slice(0, key.indexOf('/'));
}
function nameOf(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}
