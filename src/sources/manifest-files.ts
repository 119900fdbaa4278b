// Reading manifests: multi-document YAML files → Kubernetes objects, with problems that name the file and
// the object. A file that does not parse yields an error and no objects, so its last good content can stand.
import { parseAllDocuments } from 'yaml';
import { describe, isRecord, type KubeObject } from '../mcs/kube-objects.ts';
import type { InputProblem } from './source.ts';

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterProperty']);

export interface ParsedFile {
  objects: KubeObject[];
  /** Problems with single objects: the rest of the file still loads. */
  problems: InputProblem[];
}

export class ManifestSyntaxError extends Error {
  override name = 'ManifestSyntaxError';
}

export function parseManifests(text: string, where: string): ParsedFile {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const syntax = list.flatMap((d) => d.errors.map((e) => e.message.split('\n')[0]));
  if (syntax.length > 0) throw new ManifestSyntaxError(`${where}: ${syntax.join('; ')}`);
  const objects: KubeObject[] = [];
  const problems: InputProblem[] = [];
  list.forEach((doc, index) => {
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    const items =
      isRecord(value) && typeof value.kind === 'string' && value.kind.endsWith('List') ? value.items : [value];
    if (!Array.isArray(items)) {
      problems.push({ where, message: `document ${index + 1}: a List without an items list` });
      return;
    }
    for (const item of items) {
      const problem = checkObject(item);
      if (problem)
        problems.push({
          where,
          object: isRecord(item) ? describe(item) : undefined,
          message: `document ${index + 1}: ${problem}`,
        });
      else objects.push(withDefaultNamespace(item as KubeObject));
    }
  });
  return { objects, problems };
}

function checkObject(item: unknown): string | undefined {
  if (!isRecord(item)) return 'is not an object';
  if (typeof item.apiVersion !== 'string' || item.apiVersion === '') return 'apiVersion: is required';
  if (typeof item.kind !== 'string' || item.kind === '') return 'kind: is required';
  if (!isRecord(item.metadata)) return 'metadata: is required';
  if (typeof item.metadata.name !== 'string' || item.metadata.name === '') return 'metadata.name: is required';
  return undefined;
}

/** As kubectl does: a namespaced object without a namespace goes to `default`. */
function withDefaultNamespace(obj: KubeObject): KubeObject {
  if (CLUSTER_SCOPED.has(String(obj.kind)) || obj.metadata?.namespace !== undefined) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace: 'default' } };
}
