// Our ServiceEntry validator mirrors the official CRD: every limit and CEL rule of networking.istio.io/v1 is
// read from the CRD file here and compared with what validate.ts checks, and each rule is seen to bite.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { renderServiceEntry } from '../../src/mesh/render.ts';
import { CEL_MESSAGES, LIMITS, serviceEntryProblems } from '../../src/mesh/validate.ts';
import { istioServiceEntryCrd } from '../controlplane/crds.ts';
import { referenceFile } from '../controlplane/reference.ts';
import { view } from './mesh-views.ts';

type Node = Record<string, unknown>;
const file = referenceFile(istioServiceEntryCrd);
const crd = (
  file.present
    ? parse(readFileSync(file.path, 'utf8'))
    : { spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { properties: { spec: {} } } } }] } }
) as Node;
const v1 = ((crd.spec as Node).versions as Node[]).find((v) => v.name === 'v1')!;
const spec = ((((v1.schema as Node).openAPIV3Schema as Node).properties as Node).spec as Node) ?? {};
const at = (path: string): Node =>
  path.split('.').reduce<Node>((n, part) => {
    if (part === '[]') return n.items as Node;
    if (part === '{}') return n.additionalProperties as Node;
    return (n.properties as Node)[part] as Node;
  }, spec);

function celMessages(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) celMessages(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'x-kubernetes-validations') for (const r of v as { message: string }[]) out.push(r.message);
      else celMessages(v, out);
    }
  }
  return out;
}

const good = () => {
  const r = renderServiceEntry(view());
  if (!r.ok) throw new Error(r.message);
  return structuredClone(r.serviceEntry) as unknown as Node & { spec: Node & { endpoints: Node[]; ports: Node[] } };
};

describe('validator against the official CRD', () => {
  it.skipIf(!file.present)(
    `knows every CEL rule of the v1 schema${file.present ? '' : ` (skipped: ${file.present ? '' : file.missing})`}`,
    () => {
      expect([...new Set(celMessages(spec))].sort()).toEqual([...CEL_MESSAGES].sort());
    },
  );

  it.skipIf(!file.present)('uses the CRD limits', () => {
    expect(at('hosts').maxItems).toBe(LIMITS.hosts);
    expect(at('addresses').maxItems).toBe(LIMITS.addresses);
    expect(at('addresses.[]').maxLength).toBe(LIMITS.addressLength);
    expect(at('ports').maxItems).toBe(LIMITS.ports);
    expect(at('ports.[].name').maxLength).toBe(LIMITS.portNameLength);
    expect(at('ports.[].protocol').maxLength).toBe(LIMITS.protocolLength);
    expect(at('endpoints').maxItems).toBe(LIMITS.endpoints);
    expect(at('endpoints.[].address').maxLength).toBe(LIMITS.endpointAddressLength);
    expect(at('endpoints.[].ports').maxProperties).toBe(LIMITS.endpointPorts);
    expect(at('endpoints.[].labels').maxProperties).toBe(LIMITS.endpointLabels);
    expect(at('endpoints.[].locality').maxLength).toBe(LIMITS.locality);
    expect(at('endpoints.[].network').maxLength).toBe(LIMITS.network);
    expect(at('endpoints.[].serviceAccount').maxLength).toBe(LIMITS.serviceAccount);
    expect(at('ports.[]').required).toEqual(['number', 'name']);
    expect(at('ports')['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(at('location').enum).toEqual(['MESH_EXTERNAL', 'MESH_INTERNAL']);
    expect(at('resolution').enum).toContain('STATIC');
    expect(spec.required).toEqual(['hosts']);
  });

  it('accepts what the renderer makes', () => {
    expect(serviceEntryProblems(good())).toEqual([]);
  });

  it.each<[string, (se: ReturnType<typeof good>) => void, string]>([
    ['no hosts', (se) => (se.spec.hosts = []), 'at least one host'],
    ['wildcard host', (se) => (se.spec.hosts = ['*']), 'hostname cannot be wildcard'],
    ['numeric TLD', (se) => (se.spec.hosts = ['a.b.123']), 'not a valid host name'],
    ['a name, not an IP, in addresses', (se) => (se.spec.addresses = ['cart']), 'not an IP address'],
    [
      'CIDR with DNS',
      (se) => Object.assign(se.spec, { addresses: ['198.19.0.0/24'], resolution: 'DNS' }),
      'CIDR addresses are allowed only',
    ],
    [
      'duplicate port number',
      (se) => se.spec.ports.push({ name: 'other', number: 80 }),
      'port number cannot be duplicated',
    ],
    ['empty port name', (se) => ((se.spec.ports[0] as Node).name = ''), 'is required'],
    ['port name not DNS-1123', (se) => ((se.spec.ports[0] as Node).name = 'bad_name'), 'not a DNS-1123 label'],
    ['port 0', (se) => ((se.spec.ports[0] as Node).number = 0), 'port must be between 1-65535'],
    ['unknown protocol', (se) => ((se.spec.ports[0] as Node).protocol = 'QUIC'), 'not a protocol'],
    ['NONE with endpoints', (se) => (se.spec.resolution = 'NONE'), 'NONE mode cannot set endpoints'],
    [
      'selector and endpoints',
      (se) => (se.spec.workloadSelector = { labels: { a: 'b' } }),
      'only one of WorkloadSelector',
    ],
    ['endpoint without address', (se) => delete se.spec.endpoints[0]!.address, 'Address is required'],
    ['endpoint FQDN with STATIC', (se) => (se.spec.endpoints[0]!.address = 'pod.example'), 'not a valid IP address'],
    [
      'undeclared endpoint port',
      (se) => (se.spec.endpoints[0]!.ports = { nope: 1 }),
      'is not defined by the service entry',
    ],
    [
      '63-character endpoint port key',
      (se) => (se.spec.endpoints[0]!.ports = { ['p'.repeat(63)]: 1 }),
      'port name must be valid',
    ],
    ['bad endpoint label', (se) => (se.spec.endpoints[0]!.labels = { 'a b': 'c' }), 'not a valid key'],
    ['unknown field', (se) => (se.spec.hostz = ['x']), 'unknown field'],
  ])('refuses %s', (_, spoil, message) => {
    const se = good();
    spoil(se);
    expect(serviceEntryProblems(se).join('\n')).toContain(message);
  });
});

describe('the example clusterset', () => {
  it('renders valid ServiceEntries (examples/clusterset-expected)', () => {
    const root = join(import.meta.dirname, '..', '..', 'examples', 'clusterset-expected');
    let count = 0;
    for (const cluster of readdirSync(root)) {
      const docs = parseAllDocuments(readFileSync(join(root, cluster, 'serviceentries.yaml'), 'utf8'));
      for (const doc of docs) {
        const se = doc.toJS() as unknown;
        if (se === null) continue;
        expect(serviceEntryProblems(se), `${cluster}: ${JSON.stringify(se).slice(0, 80)}`).toEqual([]);
        count++;
      }
    }
    // Three imported services; south has no namespace db, so no cassandra there.
    expect(count).toBe(8);
  });
});
