// `clusterset render`: read member clusters from manifests once, merge, and write what each cluster should
// hold as YAML. Strict: any input problem fails the command, naming the file and the object.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Config } from '../config/load.ts';
import type { Logger } from '../log.ts';
import { ClusterSetIpAllocator } from '../mcs/clustersetip.ts';
import type { MergeResult } from '../mcs/merge.ts';
import { type ClusterObjects, desiredForCluster } from '../mcs/render/cluster-objects.ts';
import type { ClusterId } from '../mcs/types.ts';
import { parseMeshNetworks } from '../mesh/networks.ts';
import { meshTargets, renderServiceEntry } from '../mesh/render.ts';
import type { ServiceEntryObject } from '../mesh/serviceentry.ts';
import { createControllerMetrics } from '../metrics.ts';
import { fileSourcesIn } from '../sources/file-source.ts';
import type { Source } from '../sources/source.ts';
import { Controller } from '../sync/controller.ts';

export class RenderInputError extends Error {
  override name = 'RenderInputError';
}

export async function render(config: Config, logger: Logger): Promise<{ clusters: number; services: number }> {
  if (!config.clusters) throw new RenderInputError('clusters: required (--clusters <folder>)');
  if (!config.out) throw new RenderInputError('out: required (--out <folder>)');
  const sources = await fileSourcesIn(config.clusters, logger, false);
  const controller = new Controller({
    sources,
    allocator: new ClusterSetIpAllocator({ IPv4: config.clusterSetIPv4Range, IPv6: config.clusterSetIPv6Range }),
    logger,
    metrics: createControllerMetrics({ defaultMetrics: false }),
    workers: 1,
  });
  await controller.start();
  await controller.settled();
  await controller.stop();
  const problems = sources.flatMap((s) => s.problems());
  if (problems.length > 0) {
    throw new RenderInputError(
      `invalid input:\n${problems.map((p) => `  ${p.where}${p.object ? `: ${p.object}` : ''}: ${p.message}`).join('\n')}`,
    );
  }
  const now = config.transitionTime ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const results = [...controller.results().values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const mesh = config.meshServiceEntries ? renderMesh(config, sources, results, logger) : undefined;
  for (const source of sources) {
    const all: ClusterObjects = { serviceImports: [], endpointSlices: [], serviceExports: [] };
    for (const result of results) {
      const objs = desiredForCluster(result, source.clusterId(), (k) => source.snapshot(k).export, now);
      all.serviceImports.push(...objs.serviceImports);
      all.endpointSlices.push(...objs.endpointSlices);
      all.serviceExports.push(...objs.serviceExports);
    }
    const dir = join(config.out, source.name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'serviceimports.yaml'), toYaml(all.serviceImports));
    await writeFile(join(dir, 'endpointslices.yaml'), toYaml(all.endpointSlices));
    await writeFile(join(dir, 'serviceexports.yaml'), toYaml(all.serviceExports));
    if (mesh) await writeFile(join(dir, 'serviceentries.yaml'), toYaml(mesh.get(source.clusterId()) ?? []));
  }
  return { clusters: sources.length, services: results.filter((r) => r.view).length };
}

/** The ServiceEntries each cluster should hold, by cluster id; a service Istio cannot express is logged. */
function renderMesh(
  config: Config,
  sources: readonly Source[],
  results: readonly MergeResult[],
  logger: Logger,
): Map<ClusterId, ServiceEntryObject[]> {
  const networks = parseMeshNetworks(config.meshNetworks);
  const idOf = (name: string) => sources.find((s) => s.name === name || s.clusterId() === name)?.clusterId();
  const networkOf = (cluster: ClusterId) =>
    networks.get(cluster) ?? networks.get(sources.find((s) => s.clusterId() === cluster)?.name ?? '');
  let configCluster: ClusterId | undefined;
  if (config.meshConfigCluster !== undefined) {
    configCluster = idOf(config.meshConfigCluster);
    if (configCluster === undefined)
      throw new RenderInputError(`meshConfigCluster: "${config.meshConfigCluster}" is not a member cluster`);
  }
  const out = new Map<ClusterId, ServiceEntryObject[]>();
  for (const { view } of results) {
    if (!view) continue;
    const r = renderServiceEntry(view, { revision: config.meshRevision, networkOf });
    if (!r.ok) {
      logger.warn('no ServiceEntry for this service', { key: view.key, reason: r.reason, problem: r.message });
      continue;
    }
    for (const cluster of meshTargets(view, configCluster)) {
      const list = out.get(cluster) ?? [];
      list.push(r.serviceEntry);
      out.set(cluster, list);
    }
  }
  return out;
}

function toYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
