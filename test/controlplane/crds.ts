import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  loadAllYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { ControlPlaneError } from './errors.ts';
import { crdsDir, referenceFile } from './reference.ts';

export const istioServiceEntryCrd = 'crds/istio.serviceentries.yaml';

// client-node's loadAllYaml turns wire names (x-kubernetes-list-type, ...) into its model's property names. A plain
// YAML parse would not, and the client's serializer would then silently drop every x-kubernetes-* keyword.
function crdsIn(file: string): V1CustomResourceDefinition[] {
  return (loadAllYaml(readFileSync(file, 'utf8')) as (V1CustomResourceDefinition | null)[]).filter(
    (doc): doc is V1CustomResourceDefinition => doc?.kind === 'CustomResourceDefinition',
  );
}

/** The project's own CRDs (every YAML file in crds/), plus the Istio ServiceEntry CRD from the reference folder. */
export function loadCrds(options: { istio: boolean }): V1CustomResourceDefinition[] {
  const ours = readdirSync(crdsDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .flatMap((name) => crdsIn(path.join(crdsDir, name)));
  if (!options.istio) return ours;
  const istio = referenceFile(istioServiceEntryCrd);
  if (!istio.present) throw new ControlPlaneError('reference-missing', istio.missing);
  return [...ours, ...crdsIn(istio.path)];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the CRDs and waits until each is Established (served), as envtest does: poll 100 ms, 30 s at most. */
export async function installCrds(kubeConfig: KubeConfig, crds: readonly V1CustomResourceDefinition[]): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  await Promise.all(crds.map((body) => api.createCustomResourceDefinition({ body })));
  const deadline = Date.now() + 30_000;
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    for (;;) {
      const current = await api.readCustomResourceDefinition({ name });
      const established = current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      if (established === true) break;
      if (Date.now() > deadline) {
        throw new ControlPlaneError(
          'crd-not-established',
          `CRD ${name} not Established after 30 s: ${JSON.stringify(current.status?.conditions ?? [])}`,
        );
      }
      await sleep(100);
    }
  }
}

/**
 * Waits until every CRD's resource answers a list in its stored version. After an API server restart /readyz is
 * ok before the CRD handlers' storage is ready (they answer 429 "storage is (re)initializing" for a moment).
 */
export async function waitForCrdsServed(
  kubeConfig: KubeConfig,
  crds: readonly V1CustomResourceDefinition[],
  timeoutMs = 30_000,
): Promise<void> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const version = crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]?.name ?? 'v1';
    for (;;) {
      try {
        await api.listClusterCustomObject({ group: crd.spec.group, version, plural: crd.spec.names.plural, limit: 1 });
        break;
      } catch (error) {
        const retryable =
          error instanceof ApiException && (error.code === 429 || error.code === 503 || error.code === 404);
        if (!retryable || Date.now() > deadline) {
          throw new ControlPlaneError(
            'crd-not-established',
            `${crd.spec.names.plural}.${crd.spec.group} is not served after ${timeoutMs / 1000} s`,
            { cause: error },
          );
        }
        await sleep(100);
      }
    }
  }
}
