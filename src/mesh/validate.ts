// Is a ServiceEntry one the API server (CRD schema and CEL rules of networking.istio.io/v1) and istiod's
// validating webhook would accept? The renderer runs this last, so no invalid object is ever written. The
// limits and CEL messages below are those of the official CRD; test/unit/mesh-validate.test.ts checks them
// against the CRD file, so a new CRD with other rules fails a test instead of our writes.
import { ipFamilyOf } from '../mcs/ip.ts';
import { isDns1123Label, isDns1123Subdomain, labelValueProblem, qualifiedNameProblem } from '../mcs/names.ts';
import { PORT_NAME } from './ports.ts';

export const LIMITS = {
  hosts: 256,
  addresses: 256,
  addressLength: 64,
  ports: 256,
  portNameLength: 256,
  protocolLength: 256,
  endpoints: 4096,
  endpointAddressLength: 256,
  endpointPorts: 128,
  endpointLabels: 256,
  locality: 2048,
  network: 2048,
  serviceAccount: 253,
} as const;

/** The CEL rules of the v1 schema, by their message: each is checked below. */
export const CEL_MESSAGES = [
  'UDS must be an absolute path or abstract socket',
  'UDS may not be a dir',
  'port must be between 1-65535',
  'port name must be valid',
  'Address is required',
  'UDS may not include ports',
  'hostname cannot be wildcard',
  'port number cannot be duplicated',
  'wildcard is not supported in selector',
  'only one of WorkloadSelector or Endpoints can be set',
  'CIDR addresses are allowed only for NONE/STATIC resolution types',
  'NONE mode cannot set endpoints',
  'DNS_ROUND_ROBIN mode cannot have multiple endpoints',
] as const;

const LOCATIONS = ['MESH_EXTERNAL', 'MESH_INTERNAL'];
const RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'];
/** Protocols istiod parses (case-insensitive); an empty protocol means sniffing. */
const PROTOCOLS = [
  'TCP',
  'UDP',
  'GRPC',
  'GRPC-WEB',
  'HTTP',
  'HTTP_PROXY',
  'HTTP2',
  'HTTPS',
  'TLS',
  'MONGO',
  'REDIS',
  'MYSQL',
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPort = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 65535;

/** Every reason the object would be refused, as `field: problem`; empty when it is valid. */
export function serviceEntryProblems(se: unknown): string[] {
  const out: string[] = [];
  const bad = (where: string, what: string) => out.push(`${where}: ${what}`);
  if (!isObj(se)) return ['(root): not an object'];
  if (se.apiVersion !== 'networking.istio.io/v1') bad('apiVersion', 'must be networking.istio.io/v1');
  if (se.kind !== 'ServiceEntry') bad('kind', 'must be ServiceEntry');
  const meta = isObj(se.metadata) ? se.metadata : {};
  if (typeof meta.name !== 'string' || !isDns1123Subdomain(meta.name))
    bad('metadata.name', 'must be a DNS-1123 subdomain');
  if (typeof meta.namespace !== 'string' || !isDns1123Label(meta.namespace))
    bad('metadata.namespace', 'must be a DNS-1123 label');
  labelsProblems(meta.labels, 'metadata.labels', LIMITS.endpointLabels, bad);

  if (!isObj(se.spec)) return [...out, 'spec: is required'];
  const spec = se.spec;
  const known = [
    'hosts',
    'addresses',
    'ports',
    'location',
    'resolution',
    'endpoints',
    'workloadSelector',
    'exportTo',
    'subjectAltNames',
  ];
  for (const k of Object.keys(spec)) if (!known.includes(k)) bad(`spec.${k}`, 'unknown field');

  const hosts = list(spec.hosts, 'spec.hosts', LIMITS.hosts, bad);
  if (hosts.length < 1) bad('spec.hosts', 'at least one host is required');
  for (const [i, h] of hosts.entries()) {
    if (h === '*') bad(`spec.hosts[${i}]`, 'hostname cannot be wildcard');
    else if (typeof h !== 'string' || !isHostname(h)) bad(`spec.hosts[${i}]`, 'is not a valid host name');
  }

  const resolution = spec.resolution ?? 'NONE';
  if (!RESOLUTIONS.includes(String(resolution))) bad('spec.resolution', `"${String(resolution)}" is not a resolution`);
  if (spec.location !== undefined && !LOCATIONS.includes(String(spec.location)))
    bad('spec.location', `"${String(spec.location)}" is not a location`);

  const addresses = list(spec.addresses, 'spec.addresses', LIMITS.addresses, bad);
  for (const [i, a] of addresses.entries()) {
    const where = `spec.addresses[${i}]`;
    if (typeof a !== 'string') {
      bad(where, 'must be a string');
      continue;
    }
    if (a.length > LIMITS.addressLength) bad(where, `longer than ${LIMITS.addressLength}`);
    const slash = a.indexOf('/');
    if (ipFamilyOf(slash >= 0 ? a.slice(0, slash) : a) === undefined) bad(where, 'is not an IP address or CIDR');
    if (slash >= 0 && !['STATIC', 'NONE'].includes(String(resolution)))
      bad('spec', 'CIDR addresses are allowed only for NONE/STATIC resolution types');
  }

  const ports = list(spec.ports, 'spec.ports', LIMITS.ports, bad);
  const portNames = new Set<string>();
  const numbers = new Set<unknown>();
  for (const [i, p] of ports.entries()) {
    const where = `spec.ports[${i}]`;
    if (!isObj(p)) {
      bad(where, 'must be an object');
      continue;
    }
    if (typeof p.name !== 'string' || p.name === '') bad(`${where}.name`, 'is required');
    else {
      if (p.name.length > 63 || !PORT_NAME.test(p.name)) bad(`${where}.name`, 'is not a DNS-1123 label');
      if (portNames.has(p.name)) bad(`${where}.name`, `"${p.name}" is listed twice`);
      portNames.add(p.name);
    }
    if (!isPort(p.number)) bad(`${where}.number`, 'port must be between 1-65535');
    if (numbers.has(p.number)) bad('spec.ports', 'port number cannot be duplicated');
    numbers.add(p.number);
    if (p.targetPort !== undefined && !isPort(p.targetPort)) bad(`${where}.targetPort`, 'port must be between 1-65535');
    if (p.protocol !== undefined) {
      if (typeof p.protocol !== 'string' || p.protocol.length > LIMITS.protocolLength)
        bad(`${where}.protocol`, 'must be a short string');
      else if (p.protocol !== '' && !PROTOCOLS.includes(p.protocol.toUpperCase()))
        bad(`${where}.protocol`, `"${p.protocol}" is not a protocol istiod knows`);
    }
  }

  if (spec.workloadSelector !== undefined && spec.endpoints !== undefined)
    bad('spec', 'only one of WorkloadSelector or Endpoints can be set');
  if (resolution === 'NONE' && spec.endpoints !== undefined) bad('spec', 'NONE mode cannot set endpoints');
  const endpoints = list(spec.endpoints, 'spec.endpoints', LIMITS.endpoints, bad);
  if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1)
    bad('spec', 'DNS_ROUND_ROBIN mode cannot have multiple endpoints');
  for (const [i, e] of endpoints.entries())
    endpointProblems(e, `spec.endpoints[${i}]`, String(resolution), portNames, bad);

  // istiod's webhook: several hosts cannot share a TCP port (nothing tells the hosts apart).
  if (hosts.length > 1 && resolution !== 'NONE') {
    const l7 = ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTPS', 'TLS'];
    if (ports.some((p) => !isObj(p) || !l7.includes(String(p.protocol ?? '').toUpperCase())))
      bad('spec.hosts', 'multiple hosts provided with non-HTTP, non-TLS ports');
  }
  return out;
}

function endpointProblems(
  e: unknown,
  where: string,
  resolution: string,
  portNames: ReadonlySet<string>,
  bad: (where: string, what: string) => void,
): void {
  if (!isObj(e)) {
    bad(where, 'must be an object');
    return;
  }
  if (e.address === undefined && e.network === undefined) bad(where, 'Address is required');
  if (e.address !== undefined) {
    if (typeof e.address !== 'string' || e.address.length > LIMITS.endpointAddressLength)
      bad(`${where}.address`, `must be a string of at most ${LIMITS.endpointAddressLength}`);
    else if (e.address.startsWith('unix://')) {
      const c = e.address.slice(7, 8);
      if (c !== '/' && c !== '@') bad(`${where}.address`, 'UDS must be an absolute path or abstract socket');
      if (e.address.endsWith('/')) bad(`${where}.address`, 'UDS may not be a dir');
      if (e.ports !== undefined) bad(where, 'UDS may not include ports');
    } else if (resolution === 'STATIC' && ipFamilyOf(e.address) === undefined)
      bad(`${where}.address`, `endpoint address "${e.address}" is not a valid IP address`);
  }
  if (e.ports !== undefined) {
    if (!isObj(e.ports)) bad(`${where}.ports`, 'must be a map');
    else {
      const keys = Object.keys(e.ports);
      if (keys.length > LIMITS.endpointPorts) bad(`${where}.ports`, `more than ${LIMITS.endpointPorts} ports`);
      for (const k of keys) {
        if (!(k.length < 63 && PORT_NAME.test(k))) bad(`${where}.ports`, 'port name must be valid');
        if (!portNames.has(k)) bad(`${where}.ports.${k}`, `endpoint port ${k} is not defined by the service entry`);
        if (!isPort(e.ports[k])) bad(`${where}.ports.${k}`, 'port must be between 1-65535');
      }
    }
  }
  labelsProblems(e.labels, `${where}.labels`, LIMITS.endpointLabels, bad);
  if (e.locality !== undefined && (typeof e.locality !== 'string' || e.locality.length > LIMITS.locality))
    bad(`${where}.locality`, `must be a string of at most ${LIMITS.locality}`);
  if (e.network !== undefined && (typeof e.network !== 'string' || e.network.length > LIMITS.network))
    bad(`${where}.network`, `must be a string of at most ${LIMITS.network}`);
  if (
    e.weight !== undefined &&
    !(Number.isInteger(e.weight) && (e.weight as number) >= 0 && (e.weight as number) <= 4294967295)
  )
    bad(`${where}.weight`, 'must be a uint32');
  if (
    e.serviceAccount !== undefined &&
    (typeof e.serviceAccount !== 'string' || e.serviceAccount.length > LIMITS.serviceAccount)
  )
    bad(`${where}.serviceAccount`, `must be a string of at most ${LIMITS.serviceAccount}`);
}

function list(value: unknown, where: string, max: number, bad: (where: string, what: string) => void): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    bad(where, 'must be a list');
    return [];
  }
  if (value.length > max) bad(where, `more than ${max} items`);
  return value;
}

function labelsProblems(value: unknown, where: string, max: number, bad: (where: string, what: string) => void): void {
  if (value === undefined) return;
  if (!isObj(value)) {
    bad(where, 'must be a map');
    return;
  }
  const keys = Object.keys(value);
  if (keys.length > max) bad(where, `more than ${max} labels`);
  for (const k of keys) {
    const kp = qualifiedNameProblem(k);
    if (kp) bad(`${where}.${k}`, kp);
    const v = value[k];
    const vp = typeof v === 'string' ? labelValueProblem(v) : 'must be a string';
    if (vp) bad(`${where}.${k}`, vp);
  }
}

/** istiod's ValidateWildcardDomain for a host without wildcard: DNS-1123 labels, ≤255, TLD not all digits. */
function isHostname(host: string): boolean {
  if (host.length === 0 || host.length > 255) return false;
  const labels = host.split('.');
  const label = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
  if (!labels.every((l) => l.length <= 63 && label.test(l))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? '');
}
