// Synthetic services for the rules benchmark: service i has one TCP port and two endpoints. Every address is in
// 198.18.0.0/15: ClusterSetIPs count up from 198.18.0.1, endpoints cycle through 198.19.192.0/18.
import type { NodeServiceRules } from '../../src/noderules/model.ts';

export function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const VIP_BASE = (198 << 24) | (18 << 16);
const ENDPOINT_BASE = ((198 << 24) | (19 << 16) | (192 << 8)) >>> 0;
const ENDPOINT_POOL = 16384;

export function vipOf(i: number): string {
  return ipv4((VIP_BASE + 1 + i) >>> 0);
}

export function endpointOf(j: number): string {
  return ipv4((ENDPOINT_BASE + (j % ENDPOINT_POOL)) >>> 0);
}

export interface SyntheticService {
  index: number;
  vip: string;
  endpoints: string[];
}

export function syntheticService(i: number, endpointCount = 2): SyntheticService {
  const endpoints: string[] = [];
  for (let k = 0; k < endpointCount; k++) endpoints.push(endpointOf(i * 2 + k));
  return { index: i, vip: vipOf(i), endpoints };
}

export function nodeRulesOf(s: SyntheticService): NodeServiceRules {
  return {
    key: `bench/svc-${s.index}`,
    vips: [{ family: 'IPv4', address: s.vip }],
    ports: [
      {
        family: 'IPv4',
        vip: s.vip,
        protocol: 'TCP',
        port: 80,
        affinity: false,
        targets: [...s.endpoints].sort().map((address) => ({ address, port: 8080 })),
      },
    ],
  };
}
