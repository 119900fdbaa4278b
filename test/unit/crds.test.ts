import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareCrds, type Json, schemaFieldPaths } from '../controlplane/crd-schema.ts';
import { crdsDir, referenceFile } from '../controlplane/reference.ts';

// Our CRDs are written by us (crds/), the official ones are test inputs from the shared reference folder.
const pairs = [
  { ours: 'serviceexports.multicluster.x-k8s.io.yaml', official: 'crds/mcs-api.serviceexports.yaml' },
  { ours: 'serviceimports.multicluster.x-k8s.io.yaml', official: 'crds/mcs-api.serviceimports.yaml' },
  { ours: 'clusterproperties.about.k8s.io.yaml', official: 'crds/about-api.clusterproperties.yaml' },
] as const;

function readYaml(file: string): Json {
  return parse(readFileSync(file, 'utf8')) as Json;
}

function ours(name: string): Json {
  return readYaml(path.join(crdsDir, name));
}

function versions(crd: Json): Json[] {
  const spec = (crd as { spec: { versions: Json[] } }).spec;
  return spec.versions;
}

describe('crds/ against the official CRDs', () => {
  for (const pair of pairs) {
    it(`${pair.ours} matches ${pair.official} in every field path and API surface`, (ctx) => {
      const reference = referenceFile(pair.official);
      if (!reference.present) {
        ctx.skip(reference.missing);
        return;
      }
      const official = readYaml(reference.path);
      const mine = ours(pair.ours);
      // The official file must be what we think it is, or an empty walk would pass trivially.
      const officialVersion = versions(official)[0] as { schema: { openAPIV3Schema: Json } };
      expect(schemaFieldPaths(officialVersion.schema.openAPIV3Schema).size).toBeGreaterThan(5);
      expect(compareCrds(official, mine)).toEqual([]);
    });
  }
});

describe('crds/ on their own', () => {
  for (const pair of pairs) {
    it(`${pair.ours}: v1alpha1 and v1beta1 are served with one schema, v1beta1 stored`, () => {
      const list = versions(ours(pair.ours)) as { name: string; served: boolean; storage: boolean; schema: Json }[];
      expect(list.map((v) => [v.name, v.served, v.storage])).toEqual([
        ['v1alpha1', true, false],
        ['v1beta1', true, true],
      ]);
      // Identical schemas are what lets the API server convert between versions without a webhook.
      expect(list[0]?.schema).toEqual(list[1]?.schema);
    });
  }
});

describe('compareCrds', () => {
  const base = ours('serviceimports.multicluster.x-k8s.io.yaml');
  // A JSON copy, not structuredClone: the YAML anchors make both versions share one schema object.
  const clone = (): Record<string, unknown> => JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const specOf = (crd: Record<string, unknown>, version: number): Record<string, Record<string, unknown>> => {
    const v = (crd.spec as { versions: { schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }[] })
      .versions[version];
    if (v === undefined) throw new Error('no such version');
    const spec = v.schema.openAPIV3Schema.properties.spec as { properties: Record<string, Record<string, unknown>> };
    return spec.properties;
  };

  it('finds nothing between a CRD and itself', () => {
    expect(compareCrds(base, base)).toEqual([]);
  });

  it('reports a missing field, a retyped field, a changed enum and an extra field by path', () => {
    const changed = clone();
    const props = specOf(changed, 1);
    delete props.trafficDistribution;
    props.ips = { ...props.ips, maxItems: 3 };
    props.type = { ...props.type, enum: ['ClusterSetIP'] };
    props.ports = { ...props.ports, 'x-kubernetes-list-type': 'set' };
    props.invented = { type: 'string' };
    const where = compareCrds(base, changed as Json).map((d) => d.where);
    expect(where).toEqual(
      expect.arrayContaining([
        'spec.versions[v1beta1] schema .spec.trafficDistribution',
        'spec.versions[v1beta1] schema .spec.ips maxItems',
        'spec.versions[v1beta1] schema .spec.type enum',
        'spec.versions[v1beta1] schema .spec.ports x-kubernetes-list-type',
        'spec.versions[v1beta1] schema .spec.invented',
      ]),
    );
    expect(where).toHaveLength(5);
  });

  it('reports names, storage and printer-column differences but not prose', () => {
    const changed = clone() as { spec: Record<string, unknown> & { versions: Record<string, unknown>[] } };
    changed.spec.names = { ...(changed.spec.names as object), shortNames: ['svcim'] };
    const v1 = changed.spec.versions[0] as Record<string, unknown>;
    v1.storage = true;
    v1.additionalPrinterColumns = [];
    specOf(changed as Record<string, unknown>, 0).ips = {
      ...specOf(base as Record<string, unknown>, 0).ips,
      description: 'other words',
    };
    const where = compareCrds(base, changed as unknown as Json).map((d) => d.where);
    expect(where.sort()).toEqual(
      ['spec.names', 'spec.versions[v1alpha1].additionalPrinterColumns', 'spec.versions[v1alpha1].storage'].sort(),
    );
  });
});
