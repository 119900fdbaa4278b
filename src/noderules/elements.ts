// A service's node rules as nft set/map elements: the unit of every delta. Keys and values are nft text.
import type { NodeServiceRules, PortRule } from './model.ts';
import { FAMILIES, type PickChain, pickChainName, portSetOf, vipSetOf } from './nft-layout.ts';

export interface RuleElement {
  set: string;
  key: string;
  /** Map data; absent for a plain set element. */
  value?: string;
}

const PROTO: Record<PortRule['protocol'], string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

export function serviceElements(rules: NodeServiceRules): RuleElement[] {
  const out: RuleElement[] = [];
  for (const vip of rules.vips) {
    const f = FAMILIES[vip.family];
    const served = rules.ports.filter((p) => p.vip === vip.address && p.targets.length > 0);
    const chains = new Set(served.map((p) => pickChainName(p.family, p.affinity, p.targets.length)));
    const [only] = chains;
    if (only !== undefined && chains.size === 1) {
      // Every served port has the same endpoint count: the ClusterSetIP alone selects the pick chain; a port without
      // endpoints, or that the service does not have, finds no endpoint element there and is rejected.
      out.push({ set: vipSetOf(only), key: vip.address });
    } else {
      out.push({ set: f.noEndpointVips, key: vip.address });
      if (chains.size > 1) {
        for (const p of served) {
          const chain = pickChainName(p.family, p.affinity, p.targets.length);
          out.push({ set: portSetOf(chain), key: `${p.vip} . ${PROTO[p.protocol]} . ${p.port}` });
        }
      }
    }
    for (const p of served) {
      const servicePort = `${p.vip} . ${PROTO[p.protocol]} . ${p.port}`;
      p.targets.forEach((t, slot) => {
        out.push({ set: f.endpoints, key: `${servicePort} . ${slot}`, value: `${t.address} . ${t.port}` });
      });
    }
  }
  return out;
}

/** The pick chains a service's elements lead to. */
export function serviceChains(rules: NodeServiceRules): PickChain[] {
  const out: PickChain[] = [];
  for (const port of rules.ports) {
    if (port.targets.length > 0) out.push({ family: port.family, affinity: port.affinity, count: port.targets.length });
  }
  return out;
}

export function elementId(e: RuleElement): string {
  return `${e.set}\u0000${e.key}`;
}
