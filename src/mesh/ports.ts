// The merged ports as ServiceEntry ports. Istio requires every port to have a name that is a DNS-1123 label,
// and keys each endpoint's port map by that name (CRD: shorter than 63 characters), while Kubernetes allows
// one unnamed port and 63-character names. Only TCP ports are kept: an Istio sidecar proxies TCP only, and a
// ServiceEntry's port numbers must be unique regardless of protocol (53/TCP and 53/UDP cannot both be listed).
import { shortHash } from '../mcs/hash.ts';
import type { Protocol, ServicePort } from '../mcs/types.ts';
import { meshProtocolOf } from './protocol.ts';
import type { ServiceEntryPort } from './serviceentry.ts';

/** The CRD's rule for endpoint port keys: `size(key) < 63 && key.matches(PORT_NAME)`. */
export const PORT_NAME = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
export const MAX_PORT_NAME = 62;

export function isMeshPortName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_PORT_NAME && PORT_NAME.test(name);
}

export interface MeshPorts {
  ports: ServiceEntryPort[];
  /** ServiceEntry port name by `name|protocol` of the merged (and EndpointSlice) port. */
  nameOf: Map<string, string>;
  /** Merged ports that are not in the ServiceEntry, with why. */
  leftOut: { port: ServicePort; why: string }[];
}

export const portKey = (name: string, protocol: Protocol): string => `${name}|${protocol}`;

export function meshPorts(merged: readonly ServicePort[]): MeshPorts {
  const leftOut: MeshPorts['leftOut'] = [];
  const kept: ServicePort[] = [];
  const numbers = new Set<number>();
  for (const p of merged) {
    if (p.protocol !== 'TCP') {
      leftOut.push({ port: p, why: `${p.protocol} is not proxied by Istio sidecars` });
    } else if (numbers.has(p.port)) {
      // The merge keeps one port per protocol and number, so this is a guard, not a case we expect.
      leftOut.push({ port: p, why: `port ${p.port} is already listed` });
    } else {
      numbers.add(p.port);
      kept.push(p);
    }
  }
  // Valid names are reserved first, so that a synthesised name never takes one a user chose.
  const taken = new Set(kept.filter((p) => isMeshPortName(p.name)).map((p) => p.name.toLowerCase()));
  const nameOf = new Map<string, string>();
  const ports: ServiceEntryPort[] = [];
  for (const p of kept) {
    const name = isMeshPortName(p.name) ? p.name : synthesise(p, taken);
    nameOf.set(portKey(p.name, p.protocol), name);
    const protocol = meshProtocolOf(p);
    ports.push(protocol ? { name, number: p.port, protocol } : { name, number: p.port });
  }
  return { ports, nameOf, leftOut };
}

/** `port-<number>` for an unnamed port; a shortened name with a hash for one that is too long or odd. */
function synthesise(p: ServicePort, taken: Set<string>): string {
  let base: string;
  if (p.name === '') base = `port-${p.port}`;
  else {
    const cleaned = p.name
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, MAX_PORT_NAME - 11)
      .replace(/^-+|-+$/g, '');
    base = `${cleaned === '' ? 'port' : cleaned}-${shortHash(p.name, 10)}`;
  }
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, MAX_PORT_NAME - String(i).length - 1)}-${i}`;
  taken.add(name);
  return name;
}
