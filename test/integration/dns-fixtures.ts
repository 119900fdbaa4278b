// Hand-built ServiceViews for the DNS tests: a small clusterset with a dual-stack ClusterSetIP service, a headless
// StatefulSet-like service in two clusters, a headless service without ready endpoints and a large headless one.
// Addresses come from 198.18.0.0/15 (IPv4) and 2001:db8::/32 (IPv6 documentation range).
import type { EndpointGroup, ServiceView } from '../../src/mcs/types.ts';

export function view(partial: Partial<ServiceView> & Pick<ServiceView, 'namespace' | 'name' | 'type'>): ServiceView {
  return {
    key: `${partial.namespace}/${partial.name}`,
    ports: [],
    ips: [],
    ipFamilies: [],
    sessionAffinity: 'None',
    labels: {},
    annotations: {},
    importers: ['east', 'west'],
    exporters: [],
    endpointsBySource: new Map(),
    ...partial,
  };
}

export const web = view({
  namespace: 'prod',
  name: 'web',
  type: 'ClusterSetIP',
  ips: ['198.18.10.1', '2001:db8::a'],
  ipFamilies: ['IPv4', 'IPv6'],
  ports: [
    { name: 'http', protocol: 'TCP', port: 80 },
    { name: 'dns', protocol: 'UDP', port: 53 },
    { name: 'dns-tcp', protocol: 'TCP', port: 53 },
    { name: '', protocol: 'TCP', port: 9000 },
  ],
});

const pgPorts: EndpointGroup['ports'] = [{ name: 'pg', protocol: 'TCP', port: 5432 }];

export const db = view({
  namespace: 'prod',
  name: 'db',
  type: 'Headless',
  ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }],
  endpointsBySource: new Map([
    [
      'east',
      [
        {
          addressType: 'IPv4',
          ports: pgPorts,
          endpoints: [
            { addresses: ['198.18.1.1'], ready: true, serving: true, terminating: false, hostname: 'db-0' },
            { addresses: ['198.18.1.2'], ready: true, serving: true, terminating: false, hostname: 'db-1' },
            { addresses: ['198.18.1.3'], ready: false, serving: false, terminating: true, hostname: 'db-2' },
          ],
        },
        {
          addressType: 'IPv6',
          ports: pgPorts,
          endpoints: [
            { addresses: ['2001:db8::1:1'], ready: true, serving: true, terminating: false, hostname: 'db-0' },
          ],
        },
      ],
    ],
    [
      'west',
      [
        {
          addressType: 'IPv4',
          ports: pgPorts,
          endpoints: [{ addresses: ['198.19.1.5'], ready: true, serving: true, terminating: false }],
        },
      ],
    ],
  ]),
});

export const idle = view({
  namespace: 'prod',
  name: 'idle',
  type: 'Headless',
  endpointsBySource: new Map([
    [
      'east',
      [
        {
          addressType: 'IPv4',
          ports: [],
          endpoints: [{ addresses: ['198.18.2.1'], ready: false, serving: false, terminating: false }],
        },
      ],
    ],
  ]),
});

/** 120 ready endpoints: 120 A records (1.9 kB) do not fit 512 bytes, nor dig's 1232-byte EDNS buffer. */
export const big = view({
  namespace: 'batch',
  name: 'big',
  type: 'Headless',
  endpointsBySource: new Map([
    [
      'east',
      [
        {
          addressType: 'IPv4',
          ports: [],
          endpoints: Array.from({ length: 120 }, (_, i) => ({
            addresses: [`198.18.3.${i + 1}`],
            ready: true,
            serving: true,
            terminating: false,
          })),
        },
      ],
    ],
  ]),
});

export const allViews = [web, db, idle, big];
