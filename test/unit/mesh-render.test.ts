import { describe, expect, it } from 'vitest';
import { localityOf } from '../../src/mesh/locality.ts';
import { MeshNetworksError, parseMeshNetworks } from '../../src/mesh/networks.ts';
import { isMeshPortName, meshPorts } from '../../src/mesh/ports.ts';
import { meshProtocolOf } from '../../src/mesh/protocol.ts';
import { meshTargets, renderServiceEntry } from '../../src/mesh/render.ts';
import type { ServiceEntryObject } from '../../src/mesh/serviceentry.ts';
import { serviceEntryProblems } from '../../src/mesh/validate.ts';
import { group, TRICKY_VIEWS, view } from './mesh-views.ts';

function rendered(v: Parameters<typeof renderServiceEntry>[0], o?: Parameters<typeof renderServiceEntry>[1]) {
  const r = renderServiceEntry(v, o);
  if (!r.ok) throw new Error(`not rendered: ${r.reason}: ${r.message}`);
  return r;
}
const se = (...a: Parameters<typeof rendered>): ServiceEntryObject => rendered(...a).serviceEntry;

describe('renderServiceEntry', () => {
  it('renders the clusterset host, ClusterSetIP, MESH_INTERNAL, STATIC and ready endpoints', () => {
    const out = se(
      view({
        endpoints: [
          [
            'east',
            [
              group('IPv4', [{ name: 'http', port: 8080 }], ['198.18.0.2', '198.18.0.1'], { zone: 'eu-east-1a' }),
              group('IPv4', [{ name: 'http', port: 8080 }], ['198.18.0.3'], { ready: false }),
            ],
          ],
          ['west', [group('IPv4', [{ name: 'http', port: 8081 }], ['198.18.1.1'])]],
        ],
      }),
      { networkOf: (c) => (c === 'west' ? 'net-west' : undefined) },
    );
    expect(out).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: {
        name: 'cart-clusterset',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'clusterset', 'multicluster.kubernetes.io/service-name': 'cart' },
      },
      spec: {
        hosts: ['cart.shop.svc.clusterset.local'],
        addresses: ['198.19.0.10'],
        ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        endpoints: [
          {
            address: '198.18.0.1',
            ports: { http: 8080 },
            labels: { 'multicluster.kubernetes.io/source-cluster': 'east' },
            locality: '/eu-east-1a',
          },
          {
            address: '198.18.0.2',
            ports: { http: 8080 },
            labels: { 'multicluster.kubernetes.io/source-cluster': 'east' },
            locality: '/eu-east-1a',
          },
          {
            address: '198.18.1.1',
            ports: { http: 8081 },
            labels: { 'multicluster.kubernetes.io/source-cluster': 'west' },
            network: 'net-west',
          },
        ],
      },
    });
  });

  it.each(TRICKY_VIEWS)('renders a valid ServiceEntry for: %s', (_, v) => {
    const out = se(v);
    expect(serviceEntryProblems(out)).toEqual([]);
    // Every endpoint port key names a declared port.
    const names = new Set(out.spec.ports.map((p) => p.name));
    for (const e of out.spec.endpoints ?? []) for (const k of Object.keys(e.ports)) expect(names).toContain(k);
  });

  it('names an unnamed port port-<number>, with the same key in the endpoints', () => {
    const out = se(TRICKY_VIEWS[0]![1]);
    expect(out.spec.ports).toEqual([{ name: 'port-8080', number: 8080 }]);
    expect(out.spec.endpoints?.map((e) => e.ports)).toEqual([{ 'port-8080': 9000 }, { 'port-8080': 9000 }]);
  });

  it('keeps one port per number, leaves UDP and SCTP out with a note, and shortens a 63-character name', () => {
    const r = rendered(TRICKY_VIEWS[1]![1]);
    const ports = r.serviceEntry.spec.ports;
    expect(ports.map((p) => p.number)).toEqual([53, 81]);
    expect(ports[0]).toEqual({ name: 'dns-tcp', number: 53, protocol: 'TCP' });
    expect(ports[1]!.name.length).toBeLessThanOrEqual(62);
    expect(isMeshPortName(ports[1]!.name)).toBe(true);
    expect(r.notes).toEqual([
      'port dns 53/UDP left out: UDP is not proxied by Istio sidecars',
      'port metrics 9100/SCTP left out: SCTP is not proxied by Istio sidecars',
    ]);
    // west exports only the UDP port: no endpoint from west.
    expect(r.serviceEntry.spec.endpoints).toEqual([
      {
        address: '198.18.0.1',
        ports: { 'dns-tcp': 5353, [ports[1]!.name]: 8081 },
        labels: { 'multicluster.kubernetes.io/source-cluster': 'east' },
      },
    ]);
  });

  it('never gives a synthesised name to a port that a user named so', () => {
    const ports = se(TRICKY_VIEWS[2]![1]).spec.ports;
    expect(ports.map((p) => p.name)).toEqual(['port-80', 'port-80-2']);
  });

  it('leaves addresses out for a headless service', () => {
    const out = se(TRICKY_VIEWS[3]![1]);
    expect(out.spec).not.toHaveProperty('addresses');
    expect(out.spec.endpoints).toHaveLength(1);
  });

  it('lists both ClusterSetIPs of a dual-stack service and one address per pod, in the first family a cluster has', () => {
    const out = se(TRICKY_VIEWS[4]![1]);
    expect(out.spec.addresses).toEqual(['198.19.0.10', 'fd00:c1a5:7e7::a']);
    expect(out.spec.endpoints?.map((e) => e.address)).toEqual(['198.18.0.1', 'fd00:18::2']);
  });

  it('keeps the host with no endpoints when none is ready', () => {
    for (const i of [5, 6]) {
      const out = se(TRICKY_VIEWS[i]![1]);
      expect(out.spec).not.toHaveProperty('endpoints');
      expect(out.spec.hosts).toEqual(['cart.shop.svc.clusterset.local']);
    }
  });

  it('merges one pod found in two slices, and carries protocols as Istio reads them for a Service', () => {
    const out = se(TRICKY_VIEWS[7]![1]);
    expect(out.spec.ports).toEqual([
      { name: 'grpc-api', number: 9090, protocol: 'GRPC' },
      { name: 'web', number: 80, protocol: 'HTTP2' },
      { name: 'db', number: 3306, protocol: 'TCP' },
    ]);
    expect(out.spec.endpoints?.map((e) => [e.address, e.ports])).toEqual([
      ['198.18.0.1', { db: 3306, 'grpc-api': 19090, web: 8080 }],
      ['198.18.0.2', { db: 3306, web: 8080 }],
    ]);
  });

  it('labels for one Istio revision, and takes locality from node topology', () => {
    const out = se(
      view({
        endpoints: [
          ['east', [group('IPv4', [{ name: 'http', port: 8080 }], ['198.18.0.1'], { zone: 'z1', nodeName: 'n1' })]],
        ],
      }),
      {
        revision: 'canary',
        nodeTopology: (c, n) => (c === 'east' && n === 'n1' ? { region: 'r1', subzone: 'rack7' } : undefined),
      },
    );
    expect(out.metadata.labels['istio.io/rev']).toBe('canary');
    expect(out.spec.endpoints?.[0]?.locality).toBe('r1/z1/rack7');
  });

  it('drops the source-cluster label when a cluster id is too long for a label value', () => {
    const long = `${'a'.repeat(40)}.${'b'.repeat(40)}`;
    const out = se(view({ endpoints: [[long, [group('IPv4', [{ name: 'http', port: 8080 }], ['198.18.0.1'])]]] }));
    expect(out.spec.endpoints?.[0]?.labels).toEqual({});
  });

  it('reports, not renders, what cannot be expressed', () => {
    const udp = renderServiceEntry(view({ ports: [{ name: 'dns', protocol: 'UDP', port: 53 }] }));
    expect(udp).toMatchObject({ ok: false, reason: 'NoMeshPorts' });
    const many = Array.from({ length: 4097 }, (_, i) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    const big = renderServiceEntry(
      view({ endpoints: [['east', [group('IPv4', [{ name: 'http', port: 8080 }], many)]]] }),
    );
    expect(big).toMatchObject({ ok: false, reason: 'TooManyEndpoints' });
    const ports = Array.from({ length: 129 }, (_, i) => ({ name: `p${i}`, protocol: 'TCP' as const, port: 1000 + i }));
    expect(renderServiceEntry(view({ ports }))).toMatchObject({ ok: false, reason: 'TooManyPorts' });
  });

  it('is deterministic', () => {
    for (const [, v] of TRICKY_VIEWS) expect(JSON.stringify(se(v))).toBe(JSON.stringify(se(v)));
  });
});

describe('mesh helpers', () => {
  it('synthesises names only where needed', () => {
    expect(meshPorts([{ name: 'http', protocol: 'TCP', port: 80 }]).ports[0]!.name).toBe('http');
    const odd = meshPorts([{ name: 'Has_Underscore', protocol: 'TCP', port: 80 }]).ports[0]!.name;
    expect(isMeshPortName(odd)).toBe(true);
    expect(odd).toMatch(/^has-underscore-[a-z0-9]{10}$/);
  });

  it('reads protocols like istiod reads a Service port', () => {
    const p = (name: string, port = 1234, appProtocol?: string) =>
      meshProtocolOf({ name, protocol: 'TCP', port, ...(appProtocol ? { appProtocol } : {}) });
    expect(p('http')).toBe('HTTP');
    expect(p('HTTP-web')).toBe('HTTP');
    expect(p('grpc-web-x')).toBe('GRPC-WEB');
    expect(p('anything', 1234, 'https')).toBe('HTTPS');
    expect(p('')).toBeUndefined();
    expect(p('', 53)).toBe('TCP');
    expect(p('foo')).toBeUndefined();
  });

  it('writes Istio locality strings', () => {
    expect(localityOf('z', undefined)).toBe('/z');
    expect(localityOf(undefined, { region: 'r', zone: 'z' })).toBe('r/z');
    expect(localityOf('z', { region: 'r', subzone: 's' })).toBe('r/z/s');
    expect(localityOf(undefined, undefined)).toBeUndefined();
  });

  it('parses cluster=network and names a bad entry', () => {
    expect(parseMeshNetworks(['east=net-1', ' west = net-2 '])).toEqual(
      new Map([
        ['east', 'net-1'],
        ['west', 'net-2'],
      ]),
    );
    expect(() => parseMeshNetworks(['east'])).toThrow(MeshNetworksError);
    expect(() => parseMeshNetworks(['east=a', 'east=b'])).toThrow('two networks');
    expect(() => parseMeshNetworks(['east=has space'])).toThrow('the network');
  });

  it('targets every importer, or only the config cluster', () => {
    const v = view({ importers: ['east', 'west'] });
    expect(meshTargets(v)).toEqual(['east', 'west']);
    expect(meshTargets(v, 'west')).toEqual(['west']);
    expect(meshTargets(v, 'south')).toEqual([]);
  });
});
