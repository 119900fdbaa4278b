// ServiceViews that are hard to express as a ServiceEntry, shared by the unit tests (our validator) and the
// e2e test (the real API server with the official CRD, dry-run).
import type { EndpointGroup, ServicePort, ServiceView } from '../../src/mcs/types.ts';

export function view(over: Partial<ServiceView> & { endpoints?: [string, EndpointGroup[]][] } = {}): ServiceView {
  const { endpoints, ...rest } = over;
  return {
    key: 'shop/cart',
    namespace: 'shop',
    name: 'cart',
    type: 'ClusterSetIP',
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    ips: ['198.19.0.10'],
    ipFamilies: ['IPv4'],
    sessionAffinity: 'None',
    labels: {},
    annotations: {},
    importers: ['east', 'west'],
    exporters: [],
    endpointsBySource: new Map(
      endpoints ?? [['east', [group('IPv4', [{ name: 'http', port: 8080 }], ['198.18.0.1'])]]],
    ),
    ...rest,
  };
}

export function group(
  addressType: 'IPv4' | 'IPv6',
  ports: { name: string; port: number; protocol?: ServicePort['protocol'] }[],
  addresses: string[],
  extra: { ready?: boolean; zone?: string; nodeName?: string } = {},
): EndpointGroup {
  return {
    addressType,
    ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
    endpoints: addresses.map((a) => ({
      addresses: [a],
      ready: extra.ready ?? true,
      serving: extra.ready ?? true,
      terminating: false,
      ...(extra.zone ? { zone: extra.zone } : {}),
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
    })),
  };
}

const LONG = 'a-very-long-port-name-that-kubernetes-allows-up-to-sixty-three1';

/** Views that must each come out as a valid ServiceEntry. */
export const TRICKY_VIEWS: [string, ServiceView][] = [
  [
    'unnamed port',
    view({
      ports: [{ name: '', protocol: 'TCP', port: 8080 }],
      endpoints: [['east', [group('IPv4', [{ name: '', port: 9000 }], ['198.18.0.1', '198.18.0.2'])]]],
    }),
  ],
  [
    'conflicting ports: the same number over TCP and UDP, a UDP-only port, and a 63-character name',
    view({
      ports: [
        { name: 'dns', protocol: 'UDP', port: 53 },
        { name: 'dns-tcp', protocol: 'TCP', port: 53 },
        { name: LONG, protocol: 'TCP', port: 81 },
        { name: 'metrics', protocol: 'SCTP', port: 9100 },
      ],
      endpoints: [
        [
          'east',
          [
            group(
              'IPv4',
              [
                { name: 'dns', port: 5353, protocol: 'UDP' },
                { name: 'dns-tcp', port: 5353 },
                { name: LONG, port: 8081 },
              ],
              ['198.18.0.1'],
            ),
          ],
        ],
        ['west', [group('IPv4', [{ name: 'dns', port: 53, protocol: 'UDP' }], ['198.18.1.1'])]],
      ],
    }),
  ],
  [
    'a named port whose synthesised neighbour would take its name',
    view({
      ports: [
        { name: 'port-80', protocol: 'TCP', port: 81 },
        { name: '', protocol: 'TCP', port: 80 },
      ],
      endpoints: [
        [
          'east',
          [
            group(
              'IPv4',
              [
                { name: 'port-80', port: 81 },
                { name: '', port: 80 },
              ],
              ['198.18.0.1'],
            ),
          ],
        ],
      ],
    }),
  ],
  [
    'headless',
    view({
      type: 'Headless',
      ips: [],
      endpoints: [['east', [group('IPv4', [{ name: 'http', port: 8080 }], ['198.18.0.1'], { zone: 'eu-east-1a' })]]],
    }),
  ],
  [
    'dual-stack, one cluster IPv6-only',
    view({
      ips: ['198.19.0.10', 'fd00:c1a5:7e7::a'],
      ipFamilies: ['IPv4', 'IPv6'],
      endpoints: [
        [
          'east',
          [
            group('IPv4', [{ name: 'http', port: 8080 }], ['198.18.0.1']),
            group('IPv6', [{ name: 'http', port: 8080 }], ['fd00:18::1']),
          ],
        ],
        ['west', [group('IPv6', [{ name: 'http', port: 8080 }], ['fd00:18::2'])]],
      ],
    }),
  ],
  ['zero endpoints', view({ endpoints: [] })],
  [
    'only endpoints that are not ready',
    view({ endpoints: [['east', [group('IPv4', [{ name: 'http', port: 8080 }], ['198.18.0.1'], { ready: false })]]] }),
  ],
  [
    'one pod in two slices split by port, appProtocol and named protocols',
    view({
      ports: [
        { name: 'grpc-api', protocol: 'TCP', port: 9090 },
        { name: 'web', protocol: 'TCP', port: 80, appProtocol: 'kubernetes.io/h2c' },
        { name: 'db', protocol: 'TCP', port: 3306 },
      ],
      endpoints: [
        [
          'east',
          [
            group('IPv4', [{ name: 'grpc-api', port: 19090 }], ['198.18.0.1']),
            group(
              'IPv4',
              [
                { name: 'web', port: 8080 },
                { name: 'db', port: 3306 },
              ],
              ['198.18.0.1', '198.18.0.2'],
            ),
          ],
        ],
      ],
    }),
  ],
];
