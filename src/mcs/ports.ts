// Port union across the constituent exports (KEP-1645 §Constraints and Conflict Resolution): merge by name
// first, then by the (protocol, port) pair; on a clash the older export keeps its port.
import type { ClusterId, ServicePort } from './types.ts';

export interface PortUnion {
  ports: ServicePort[];
  /** Ports a newer export brought that clashed with an older one, and were left out. */
  rejected: { cluster: ClusterId; port: ServicePort }[];
}

export function samePort(a: ServicePort, b: ServicePort): boolean {
  return a.name === b.name && a.protocol === b.protocol && a.port === b.port && a.appProtocol === b.appProtocol;
}

export function describePort(p: ServicePort): string {
  return `${p.name === '' ? '(unnamed)' : p.name} ${p.port}/${p.protocol}`;
}

/** `constituents` must be ordered oldest first: the order decides which duplicate survives. */
export function unionPorts(constituents: readonly { cluster: ClusterId; ports: readonly ServicePort[] }[]): PortUnion {
  const ports: ServicePort[] = [];
  const byName = new Map<string, ServicePort>();
  const byNumber = new Set<string>();
  const rejected: PortUnion['rejected'] = [];
  for (const { cluster, ports: own } of constituents) {
    for (const p of own) {
      const named = byName.get(p.name);
      if (named) {
        if (!samePort(named, p)) rejected.push({ cluster, port: p });
        continue;
      }
      const number = `${p.protocol}/${p.port}`;
      if (byNumber.has(number)) {
        rejected.push({ cluster, port: p });
        continue;
      }
      const copy = { ...p };
      ports.push(copy);
      byName.set(p.name, copy);
      byNumber.add(number);
    }
  }
  return { ports, rejected };
}

/** Whether two port lists hold the same ports, in any order. */
export function samePortSet(a: readonly ServicePort[], b: readonly ServicePort[]): boolean {
  return a.length === b.length && a.every((p) => b.some((q) => samePort(p, q)));
}
