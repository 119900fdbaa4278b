// Writes each imported service's Istio ServiceEntry into the target clusters: every member cluster that has
// the namespace, or only the config cluster of an external control plane. Server-side apply with our one field
// manager, only when desired differs from observed; deleted when the import goes; only our own objects are
// touched. A service that cannot be expressed is logged, counted and skipped: nothing invalid is written.
import { KubeApiError } from '../kube/client.ts';
import type { Logger } from '../log.ts';
import type { KubeObject } from '../mcs/kube-objects.ts';
import type { MergeResult } from '../mcs/merge.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../mcs/ownership.ts';
import type { ClusterId, ServiceKey } from '../mcs/types.ts';
import { type MeshRenderResult, meshTargets, renderServiceEntry } from '../mesh/render.ts';
import { SERVICE_ENTRY_RESOURCE, type ServiceEntryObject } from '../mesh/serviceentry.ts';
import type { ControllerMetrics } from '../metrics.ts';
import type { KubeSource } from '../sources/kube-source.ts';
import { labelsOf } from '../sources/observed.ts';
import { deleteObject, serverSideApply } from './apply.ts';
import type { ViewSink } from './controller.ts';
import { canonicalJson, observedHash, withAppliedHash } from './diff.ts';

export interface MeshWriterOptions {
  /** Every member cluster: endpoints' networks are looked up here, and SEs written to the targets among them. */
  sources: readonly KubeSource[];
  /** Name of the one cluster to write into (external control plane); default: every member cluster. */
  configCluster?: string;
  /** `istio.io/rev` label value. */
  revision?: string;
  /** Istio network by cluster name or id; else the `topology.istio.io/network` label of istio-system. */
  networks?: ReadonlyMap<string, string>;
  logger: Logger;
  metrics: ControllerMetrics;
}

type SkipReason = Exclude<MeshRenderResult, { ok: true }>['reason'] | 'NameTaken' | 'NoNamespaceInConfigCluster';

export class MeshWriter implements ViewSink {
  readonly name = 'mesh';
  readonly #o: MeshWriterOptions;
  readonly #log: Logger;
  readonly #targets: readonly KubeSource[];
  /** Services without a ServiceEntry, and why: logged once per change, counted in the gauge. */
  readonly #skipped = new Map<ServiceKey, SkipReason>();

  constructor(options: MeshWriterOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'mesh' });
    if (options.configCluster !== undefined) {
      const config = options.sources.find((s) => s.name === options.configCluster);
      if (!config) {
        throw new Error(
          `meshConfigCluster: "${options.configCluster}" is not a member cluster (members: ${options.sources.map((s) => s.name).join(', ')})`,
        );
      }
      this.#targets = [config];
    } else this.#targets = options.sources;
  }

  async apply(result: MergeResult): Promise<void> {
    const view = result.view;
    const rendered = view
      ? renderServiceEntry(view, {
          revision: this.#o.revision,
          networkOf: (cluster) => this.#networkOf(cluster),
        })
      : undefined;
    let targets: ClusterId[] = [];
    let skip: { reason: SkipReason; message: string } | undefined;
    if (view && rendered?.ok) {
      const configId = this.#o.configCluster !== undefined ? this.#targets[0]?.clusterId() : undefined;
      targets = meshTargets(view, configId);
      if (configId !== undefined && targets.length === 0)
        skip = {
          reason: 'NoNamespaceInConfigCluster',
          message: `namespace ${view.namespace} does not exist in the config cluster`,
        };
    } else if (rendered && !rendered.ok) skip = { reason: rendered.reason, message: rendered.message };

    const failures: Error[] = [];
    await Promise.all(
      this.#targets.map(async (source) => {
        // An unreachable cluster is written when it comes back (every key is merged again then).
        if (!source.healthy() || !source.serviceEntriesServed()) return;
        const desired = rendered?.ok && targets.includes(source.clusterId()) ? rendered.serviceEntry : undefined;
        try {
          const taken = await this.#write(source, result.key, desired, rendered?.ok ? rendered.notes : []);
          if (taken) skip ??= { reason: 'NameTaken', message: taken };
        } catch (err) {
          failures.push(err as Error);
        }
      }),
    );
    if (skip) this.#skip(result.key, skip.reason, skip.message);
    else this.#clear(result.key);
    if (failures.length > 0)
      throw new AggregateError(failures, `${result.key}: ${failures.map((f) => f.message).join('; ')}`);
  }

  #networkOf(cluster: ClusterId): string | undefined {
    const source = this.#o.sources.find((s) => s.clusterId() === cluster);
    return (
      this.#o.networks?.get(cluster) ??
      (source ? this.#o.networks?.get(source.name) : undefined) ??
      source?.meshNetwork()
    );
  }

  async #write(
    source: KubeSource,
    key: ServiceKey,
    desired: ServiceEntryObject | undefined,
    notes: readonly string[],
  ): Promise<string | undefined> {
    // Returns why the object could not be written when its name belongs to someone else.
    const observed = source.observed.serviceEntries.get(key);
    // The watch selects our label; checked again because deleting someone else's object is the one thing we must never do.
    const ours = observed !== undefined && labelsOf(observed)[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
    if (!desired) {
      if (observed && ours) await this.#delete(source, observed);
      return undefined;
    }
    const body = withAppliedHash(desired, desired.spec);
    if (
      observed &&
      observed.metadata?.name === desired.metadata.name &&
      observedHash(observed) === observedHash(body) &&
      canonicalJson(observed.spec) === canonicalJson(desired.spec)
    )
      return undefined;
    try {
      // Force only over our own object: a create that meets another manager's ServiceEntry of the same name
      // gets 409 Conflict instead of taking it over.
      await serverSideApply(
        { source, metrics: this.#o.metrics, log: this.#log },
        { resource: SERVICE_ENTRY_RESOURCE, namespace: desired.metadata.namespace, name: desired.metadata.name },
        body,
        ours,
      );
      if (notes.length > 0) this.#log.debug('ServiceEntry notes', { cluster: source.name, key, notes });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409 && !ours) {
        return `ServiceEntry ${desired.metadata.namespace}/${desired.metadata.name} in cluster "${source.name}" belongs to someone else`;
      }
      throw err;
    }
    // A ServiceEntry we wrote under another name (an older naming) is replaced, not left beside the new one.
    if (observed && ours && observed.metadata?.name !== desired.metadata.name) await this.#delete(source, observed);
    return undefined;
  }

  async #delete(source: KubeSource, observed: KubeObject): Promise<void> {
    await deleteObject(
      { source, metrics: this.#o.metrics, log: this.#log },
      {
        resource: SERVICE_ENTRY_RESOURCE,
        namespace: String(observed.metadata?.namespace),
        name: String(observed.metadata?.name),
      },
    );
  }

  #skip(key: ServiceKey, reason: SkipReason, message: string): void {
    const before = this.#skipped.get(key);
    if (before === reason) return;
    if (before) this.#o.metrics.meshSkipped.dec({ reason: before });
    this.#skipped.set(key, reason);
    this.#o.metrics.meshSkipped.inc({ reason });
    this.#log.warn('no ServiceEntry for this service', { key, reason, problem: message });
  }

  #clear(key: ServiceKey): void {
    const before = this.#skipped.get(key);
    if (!before) return;
    this.#skipped.delete(key);
    this.#o.metrics.meshSkipped.dec({ reason: before });
    this.#log.info('the service has a ServiceEntry again', { key, was: before });
  }
}
