import { describe, expect, it } from 'vitest';
import type { ServiceView } from '../mcs/types.ts';
import { nodeRulesForView } from './debug-view.ts';

const view: ServiceView = {
  key: 'demo/web',
  namespace: 'demo',
  name: 'web',
  type: 'ClusterSetIP',
  ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
  ips: ['198.19.0.10'],
  ipFamilies: ['IPv4'],
  sessionAffinity: 'None',
  trafficDistribution: 'PreferClose',
  labels: {},
  annotations: {},
  importers: ['east', 'west'],
  exporters: [],
  endpointsBySource: new Map([
    [
      'west',
      [
        {
          addressType: 'IPv4',
          ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
          endpoints: [{ addresses: ['198.18.3.2'], ready: true, serving: true, terminating: false, zone: 'zone-b' }],
        },
      ],
    ],
    [
      'east',
      [
        {
          addressType: 'IPv4',
          ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
          endpoints: [{ addresses: ['198.18.2.2'], ready: true, serving: true, terminating: false, zone: 'zone-a' }],
        },
      ],
    ],
  ]),
};

describe('nodeRulesForView', () => {
  it('renders what a node in zone-a gets for a PreferClose service: its zone endpoint only', () => {
    expect(nodeRulesForView(view, { nodeName: 'n1', zone: 'zone-a' }).nft).toEqual([
      'add element inet clusterset pick4-1-vips { 198.19.0.10 }',
      'add element inet clusterset endpoints4 { 198.19.0.10 . tcp . 80 . 0 : 198.18.2.2 . 8080 }',
    ]);
  });

  it('renders both clusters endpoints for a node in a zone without endpoints, and nothing for Headless', () => {
    const debug = nodeRulesForView(view, { nodeName: 'n2', zone: 'zone-c' });
    expect(debug.rules.ports[0]?.targets.map((t) => t.address)).toEqual(['198.18.2.2', '198.18.3.2']);
    expect(nodeRulesForView({ ...view, type: 'Headless', ips: [] }, { nodeName: 'n2' }).nft).toEqual([]);
  });
});
