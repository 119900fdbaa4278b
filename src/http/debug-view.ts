// The merged view as plain JSON for /debug/clusterset: what an operator needs to see why a service is,
// or is not, imported where they expect.
import type { MergeResult } from '../mcs/merge.ts';
import type { ServiceKey, ServiceView } from '../mcs/types.ts';
import type { Source } from '../sources/source.ts';

export function serviceViewJson(view: ServiceView): Record<string, unknown> {
  const { endpointsBySource, exporters, ...rest } = view;
  return {
    ...rest,
    exporters: exporters.map((e) => ({ cluster: e.cluster, valid: e.valid, conditions: e.conditions })),
    endpointsBySource: Object.fromEntries(endpointsBySource),
  };
}

export function resultJson(result: MergeResult): Record<string, unknown> {
  if (result.view) return { imported: true, ...serviceViewJson(result.view) };
  return {
    key: result.key,
    imported: false,
    exporters: result.exporters.map((e) => ({ cluster: e.cluster, valid: e.valid, conditions: e.conditions })),
  };
}

export function clustersetJson(
  sources: readonly Source[],
  results: ReadonlyMap<ServiceKey, MergeResult>,
): Record<string, unknown> {
  const keys = [...results.keys()].sort();
  return {
    clusters: sources.map((s) => ({
      name: s.name,
      clusterId: s.clusterId(),
      synced: s.synced(),
      exports: s.exportCount(),
      problems: s.problems(),
    })),
    services: keys.map((k) => resultJson(results.get(k)!)),
  };
}
