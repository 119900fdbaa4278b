// Kubernetes objects → the normalised facts the core reads. Every check names the object and the field.
// A Service the API server accepted can still be one we cannot express (ports without names, duplicate
// ports): those come back as `unexportable` so that the ServiceExport gets a condition, not a crash.
import { FieldReader, readTimestamp } from './fields.ts';
import { canonicalIP, ipFamilyOf } from './ip.ts';
import { describe, isRecord, type KubeObject } from './kube-objects.ts';
import { InputError, isDns1123Label, isDns1123Subdomain, labelValueProblem, qualifiedNameProblem } from './names.ts';
import type {
  Endpoint,
  EndpointGroup,
  EndpointPort,
  ExportFacts,
  IPFamily,
  Protocol,
  ServiceFacts,
  ServiceKey,
  ServicePort,
  SessionAffinityConfig,
} from './types.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MCS_SERVICE_NAME_LABEL = 'multicluster.kubernetes.io/service-name';
export const MCS_SOURCE_CLUSTER_LABEL = 'multicluster.kubernetes.io/source-cluster';
export const CLUSTER_ID_PROPERTY = 'cluster.clusterset.k8s.io';
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const FAMILIES = ['IPv4', 'IPv6'] as const;
/** Kubernetes' default for sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT = 10800;

function metaKey(
  r: FieldReader,
  obj: KubeObject,
  defaultNamespace?: string,
): { namespace: string; name: string; key: ServiceKey } {
  const meta = r.record(obj.metadata, 'metadata') ?? {};
  const name = r.requiredString(meta.name, 'metadata.name');
  const namespace = r.string(meta.namespace, 'metadata.namespace') ?? defaultNamespace;
  if (!namespace) r.fail('metadata.namespace', 'is required');
  if (!isDns1123Label(namespace)) r.fail('metadata.namespace', `"${namespace}" is not a DNS-1123 label`);
  return { namespace, name, key: `${namespace}/${name}` };
}

export interface NormalisedExport {
  key: ServiceKey;
  facts: ExportFacts;
}

export function normaliseServiceExport(obj: KubeObject): NormalisedExport {
  const r: FieldReader = new FieldReader(describe(obj));
  const { key, name } = metaKey(r, obj);
  if (!isDns1123Label(name)) r.fail('metadata.name', `"${name}" is not a DNS-1123 label, so no Service can have it`);
  const meta = obj.metadata ?? {};
  const created = readTimestamp(r, meta.creationTimestamp, 'metadata.creationTimestamp');
  if (!created) r.fail('metadata.creationTimestamp', 'is required: the oldest export wins conflicts');
  const spec = r.record(obj.spec, 'spec') ?? {};
  const apiVersion = r.requiredString(obj.apiVersion, 'apiVersion');
  const facts: ExportFacts = {
    created,
    generation: r.integer(meta.generation, 'metadata.generation', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    apiVersion,
    exportedLabels: r.stringMap(spec.exportedLabels, 'spec.exportedLabels'),
    exportedAnnotations: r.stringMap(spec.exportedAnnotations, 'spec.exportedAnnotations'),
  };
  // The CRD takes any strings, but they become a ServiceImport's labels and annotations: check them now, so
  // that a bad one is a condition on this export rather than an import the API server refuses.
  const problems: string[] = [];
  for (const [k, v] of Object.entries(facts.exportedLabels)) {
    const kp = qualifiedNameProblem(k);
    if (kp) problems.push(`spec.exportedLabels: key "${k}" ${kp}`);
    const vp = labelValueProblem(v);
    if (vp) problems.push(`spec.exportedLabels.${k}: the value ${vp}`);
  }
  let size = 0;
  for (const [k, v] of Object.entries(facts.exportedAnnotations)) {
    const kp = qualifiedNameProblem(k);
    if (kp) problems.push(`spec.exportedAnnotations: key "${k}" ${kp}`);
    size += k.length + v.length;
  }
  if (size > 256 * 1024)
    problems.push(`spec.exportedAnnotations: ${size} bytes in all; annotations may hold at most 256 KiB`);
  if (problems.length > 0) facts.problem = problems.join('; ');
  return { key, facts };
}

export type NormalisedService =
  | { key: ServiceKey; facts: ServiceFacts; unexportable?: undefined }
  | { key: ServiceKey; facts?: undefined; unexportable: InputError };

/** Reads a Service. Errors in identity (name, namespace) throw; errors in what we would export come back. */
export function normaliseService(obj: KubeObject): NormalisedService {
  const r: FieldReader = new FieldReader(describe(obj));
  const { key } = metaKey(r, obj);
  try {
    return { key, facts: readServiceSpec(r, obj.spec) };
  } catch (err) {
    if (err instanceof InputError) return { key, unexportable: err };
    throw err;
  }
}

function readServiceSpec(r: FieldReader, specValue: unknown): ServiceFacts {
  const spec = r.record(specValue, 'spec') ?? {};
  const type =
    r.oneOf(spec.type, 'spec.type', ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const) ?? 'ClusterIP';
  const clusterIP = r.string(spec.clusterIP, 'spec.clusterIP');
  const rawIPs = r
    .array(spec.clusterIPs, 'spec.clusterIPs')
    .map((v, i) => r.requiredString(v, `spec.clusterIPs[${i}]`));
  const headless = clusterIP === 'None' || rawIPs[0] === 'None';
  if (headless && type !== 'ClusterIP')
    r.fail('spec.clusterIP', `"None" is only valid for type ClusterIP, not ${type}`);
  const clusterIPs = headless ? [] : rawIPs.length > 0 ? rawIPs : clusterIP ? [clusterIP] : [];
  clusterIPs.forEach((ip, i) => {
    if (!ipFamilyOf(ip)) r.fail(`spec.clusterIPs[${i}]`, `"${ip}" is not an IP address`);
  });
  const families = r
    .array(spec.ipFamilies, 'spec.ipFamilies')
    .map((v, i) => r.oneOf(v, `spec.ipFamilies[${i}]`, FAMILIES)!);
  if (new Set(families).size !== families.length) r.fail('spec.ipFamilies', 'lists a family twice');
  const ipFamilies: IPFamily[] =
    families.length > 0 ? families : clusterIPs.length > 0 ? clusterIPs.map((ip) => ipFamilyOf(ip)!) : ['IPv4'];
  const ports = readServicePorts(r, spec.ports, type === 'ExternalName');
  const sessionAffinity =
    r.oneOf(spec.sessionAffinity, 'spec.sessionAffinity', ['None', 'ClientIP'] as const) ?? 'None';
  const facts: ServiceFacts = { type, headless, clusterIPs, ipFamilies, ports, sessionAffinity };
  if (sessionAffinity === 'ClientIP') {
    const config = r.record(spec.sessionAffinityConfig, 'spec.sessionAffinityConfig');
    const clientIP = r.record(config?.clientIP, 'spec.sessionAffinityConfig.clientIP');
    const timeout = r.integer(clientIP?.timeoutSeconds, 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', 1, 86400);
    facts.sessionAffinityConfig = {
      clientIP: { timeoutSeconds: timeout ?? DEFAULT_AFFINITY_TIMEOUT },
    } satisfies SessionAffinityConfig;
  }
  facts.internalTrafficPolicy =
    r.oneOf(spec.internalTrafficPolicy, 'spec.internalTrafficPolicy', ['Cluster', 'Local'] as const) ?? 'Cluster';
  const td = r.string(spec.trafficDistribution, 'spec.trafficDistribution');
  if (td !== undefined) facts.trafficDistribution = td;
  return facts;
}

function readServicePorts(r: FieldReader, value: unknown, externalName: boolean): ServicePort[] {
  const list = r.array(value, 'spec.ports');
  const ports = list.map((raw, i) => {
    const field = `spec.ports[${i}]`;
    if (!isRecord(raw)) r.fail(field, 'must be an object');
    return readPort(r, raw, field, true);
  });
  if (externalName) return ports;
  const names = new Set<string>();
  const numbers = new Set<string>();
  ports.forEach((p, i) => {
    if (ports.length > 1 && p.name === '')
      r.fail(`spec.ports[${i}].name`, 'is required when a Service has several ports');
    if (names.has(p.name)) r.fail(`spec.ports[${i}].name`, `"${p.name}" is used by two ports`);
    const pp = `${p.protocol}/${p.port}`;
    if (numbers.has(pp)) r.fail(`spec.ports[${i}]`, `${pp} is listed twice`);
    names.add(p.name);
    numbers.add(pp);
  });
  return ports;
}

function readPort(r: FieldReader, raw: Record<string, unknown>, field: string, required: true): ServicePort;
function readPort(
  r: FieldReader,
  raw: Record<string, unknown>,
  field: string,
  required: false,
): ServicePort | undefined;
function readPort(
  r: FieldReader,
  raw: Record<string, unknown>,
  field: string,
  required: boolean,
): ServicePort | undefined {
  const port = r.integer(raw.port, `${field}.port`, 1, 65535);
  if (port === undefined) {
    if (required) r.fail(`${field}.port`, 'is required');
    return undefined;
  }
  const name = r.string(raw.name, `${field}.name`) ?? '';
  if (name !== '' && !isDns1123Label(name)) r.fail(`${field}.name`, `"${name}" is not a DNS-1123 label`);
  const protocol: Protocol = r.oneOf(raw.protocol, `${field}.protocol`, PROTOCOLS) ?? 'TCP';
  const out: ServicePort = { name, protocol, port };
  const appProtocol = r.string(raw.appProtocol, `${field}.appProtocol`);
  if (appProtocol !== undefined) out.appProtocol = appProtocol;
  return out;
}

export interface NormalisedSlice {
  /** The Service this slice belongs to, from the kubernetes.io/service-name label. */
  key: ServiceKey;
  name: string;
  group: EndpointGroup;
  /** Endpoints and addresses left out, with why (wrong family, not an IP): for logs, never fatal. */
  dropped: string[];
}

/**
 * Reads a cluster's own EndpointSlice. Returns undefined for slices that do not belong to a Service, that we
 * wrote ourselves (MCS slices), or that hold FQDN addresses (no exportable endpoints).
 */
export function normaliseEndpointSlice(obj: KubeObject): NormalisedSlice | undefined {
  const r: FieldReader = new FieldReader(describe(obj));
  const meta = r.record(obj.metadata, 'metadata') ?? {};
  const labels = r.stringMap(meta.labels, 'metadata.labels');
  const service = labels[SERVICE_NAME_LABEL];
  if (!service || labels[MCS_SERVICE_NAME_LABEL] !== undefined) return undefined;
  const { namespace, name } = metaKey(r, obj);
  const addressType = r.oneOf(obj.addressType, 'addressType', ['IPv4', 'IPv6', 'FQDN'] as const);
  if (!addressType) r.fail('addressType', 'is required');
  if (addressType === 'FQDN') return undefined;
  const ports: EndpointPort[] = [];
  r.array(obj.ports, 'ports').forEach((raw, i) => {
    if (!isRecord(raw)) r.fail(`ports[${i}]`, 'must be an object');
    const p = readPort(r, raw, `ports[${i}]`, false);
    if (p) ports.push(p);
  });
  const dropped: string[] = [];
  const endpoints: Endpoint[] = [];
  r.array(obj.endpoints, 'endpoints').forEach((raw, i) => {
    const field = `endpoints[${i}]`;
    if (!isRecord(raw)) r.fail(field, 'must be an object');
    const addresses: string[] = [];
    for (const [j, a] of r.array(raw.addresses, `${field}.addresses`).entries()) {
      const text = r.requiredString(a, `${field}.addresses[${j}]`);
      const canonical = canonicalIP(text);
      if (!canonical || ipFamilyOf(canonical) !== addressType)
        dropped.push(`${field}.addresses[${j}]: "${text}" is not an ${addressType} address`);
      else addresses.push(canonical);
    }
    if (addresses.length === 0) return;
    const cond = r.record(raw.conditions, `${field}.conditions`) ?? {};
    // EndpointSlice API: a nil `ready` means ready; `serving` defaults to `ready`.
    const ready = r.boolean(cond.ready, `${field}.conditions.ready`) ?? true;
    const ep: Endpoint = {
      addresses,
      ready,
      serving: r.boolean(cond.serving, `${field}.conditions.serving`) ?? ready,
      terminating: r.boolean(cond.terminating, `${field}.conditions.terminating`) ?? false,
    };
    const hostname = r.string(raw.hostname, `${field}.hostname`);
    if (hostname !== undefined) {
      if (!isDns1123Label(hostname)) dropped.push(`${field}.hostname: "${hostname}" is not a DNS-1123 label`);
      else ep.hostname = hostname;
    }
    const nodeName = r.string(raw.nodeName, `${field}.nodeName`);
    if (nodeName !== undefined) ep.nodeName = nodeName;
    const zone = r.string(raw.zone, `${field}.zone`);
    if (zone !== undefined) ep.zone = zone;
    endpoints.push(ep);
  });
  return { key: `${namespace}/${service}`, name, group: { addressType, ports, endpoints }, dropped };
}

/** The value of the ClusterProperty `cluster.clusterset.k8s.io`, validated as a cluster id. */
export function readClusterIdProperty(obj: KubeObject): string | undefined {
  const r: FieldReader = new FieldReader(describe(obj));
  const meta = r.record(obj.metadata, 'metadata') ?? {};
  if (meta.name !== CLUSTER_ID_PROPERTY) return undefined;
  const spec = r.record(obj.spec, 'spec') ?? {};
  const value = r.requiredString(spec.value, 'spec.value');
  if (!isDns1123Subdomain(value) || value.length >= 128) {
    r.fail('spec.value', `"${value}" is not a valid cluster id (an RFC 1123 DNS subdomain under 128 characters)`);
  }
  return value;
}

export function readNamespaceName(obj: KubeObject): string {
  const r: FieldReader = new FieldReader(describe(obj));
  const meta = r.record(obj.metadata, 'metadata') ?? {};
  const name = r.requiredString(meta.name, 'metadata.name');
  if (!isDns1123Label(name)) r.fail('metadata.name', `"${name}" is not a DNS-1123 label`);
  return name;
}
