// Everything one member cluster should hold, from the merged results: its ServiceImports, its MCS
// EndpointSlices and the status of its own ServiceExports. Used by `render` and, per key, by the writers.
import { stampTransitions } from '../conditions.ts';
import type { MergeResult } from '../merge.ts';
import type { ClusterId, Condition, ExportFacts, ServiceKey } from '../types.ts';
import { type EndpointSliceObject, renderEndpointSlices } from './endpointslices.ts';
import { renderServiceImport, type ServiceImportObject } from './serviceimport.ts';

export interface ServiceExportObject {
  apiVersion: string;
  kind: 'ServiceExport';
  metadata: { name: string; namespace: string };
  spec?: { exportedLabels?: Record<string, string>; exportedAnnotations?: Record<string, string> };
  status: { conditions: Condition[] };
}

export interface ClusterObjects {
  serviceImports: ServiceImportObject[];
  endpointSlices: EndpointSliceObject[];
  serviceExports: ServiceExportObject[];
}

export function desiredForCluster(
  result: MergeResult,
  cluster: ClusterId,
  exportOf: (key: ServiceKey) => ExportFacts | undefined,
  now: string,
): ClusterObjects {
  const out: ClusterObjects = { serviceImports: [], endpointSlices: [], serviceExports: [] };
  const view = result.view;
  if (view?.importers.includes(cluster)) {
    out.serviceImports.push(renderServiceImport(view));
    out.endpointSlices.push(...renderEndpointSlices(view));
  }
  const state = result.exporters.find((e) => e.cluster === cluster);
  const exp = exportOf(result.key);
  if (state && exp) {
    const slash = result.key.indexOf('/');
    const spec: NonNullable<ServiceExportObject['spec']> = {};
    if (Object.keys(exp.exportedLabels).length > 0) spec.exportedLabels = exp.exportedLabels;
    if (Object.keys(exp.exportedAnnotations).length > 0) spec.exportedAnnotations = exp.exportedAnnotations;
    out.serviceExports.push({
      apiVersion: exp.apiVersion,
      kind: 'ServiceExport',
      metadata: { name: result.key.slice(slash + 1), namespace: result.key.slice(0, slash) },
      ...(Object.keys(spec).length > 0 ? { spec } : {}),
      status: { conditions: stampTransitions(state.conditions, undefined, now) },
    });
  }
  return out;
}
