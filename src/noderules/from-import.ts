// The agent's side: a ServiceImport and the MCS EndpointSlices of its cluster (as read from the API server) → the
// node-independent rule model. Every field is checked: a malformed object is reported, never half-read.
import { isRecord, type KubeObject } from '../mcs/kube-objects.ts';
import type { EndpointPort, IPFamily, Protocol, ServiceKey, ServicePort, SessionAffinity } from '../mcs/types.ts';
import type { RuleBackend, ServiceRuleModel } from './model.ts';

export const SERVICE_NAME_LABEL = 'multicluster.kubernetes.io/service-name';
export const SOURCE_CLUSTER_LABEL = 'multicluster.kubernetes.io/source-cluster';

export class ImportShapeError extends Error {
  override readonly name = 'ImportShapeError';
}

export type FromImportResult = { ok: true; model: ServiceRuleModel } | { ok: false; error: ImportShapeError };

/** The ServiceKey an MCS EndpointSlice belongs to, from its labels; undefined when it is not an MCS slice. */
export function sliceServiceKey(slice: KubeObject): ServiceKey | undefined {
  const meta = slice.metadata;
  const labels = isRecord(meta?.labels) ? meta.labels : undefined;
  const service = labels?.[SERVICE_NAME_LABEL];
  const namespace = meta?.namespace;
  if (typeof service !== 'string' || service === '' || typeof namespace !== 'string') return undefined;
  if (typeof labels?.[SOURCE_CLUSTER_LABEL] !== 'string') return undefined;
  return `${namespace}/${service}`;
}

export function importServiceKey(serviceImport: KubeObject): ServiceKey | undefined {
  const { namespace, name } = serviceImport.metadata ?? {};
  return typeof namespace === 'string' && typeof name === 'string' ? `${namespace}/${name}` : undefined;
}

export function fromServiceImport(serviceImport: KubeObject, slices: readonly KubeObject[]): FromImportResult {
  try {
    return { ok: true, model: readImport(serviceImport, slices) };
  } catch (error) {
    if (error instanceof ImportShapeError) return { ok: false, error };
    throw error;
  }
}

function readImport(serviceImport: KubeObject, slices: readonly KubeObject[]): ServiceRuleModel {
  const key = importServiceKey(serviceImport);
  if (key === undefined) throw new ImportShapeError('ServiceImport without metadata.namespace/name');
  const spec = serviceImport.spec;
  if (!isRecord(spec)) throw new ImportShapeError(`${key}: spec is not an object`);
  const type = spec.type ?? 'ClusterSetIP';
  if (type !== 'ClusterSetIP' && type !== 'Headless') throw new ImportShapeError(`${key}: spec.type ${String(type)}`);
  const ips = type === 'Headless' ? [] : stringList(spec.ips, `${key}: spec.ips`);
  const ports = list(spec.ports, `${key}: spec.ports`).map((p, i) => servicePort(p, `${key}: spec.ports[${i}]`));
  const affinity = spec.sessionAffinity ?? 'None';
  if (affinity !== 'None' && affinity !== 'ClientIP') {
    throw new ImportShapeError(`${key}: spec.sessionAffinity ${String(affinity)}`);
  }
  const itp = spec.internalTrafficPolicy ?? 'Cluster';
  if (itp !== 'Cluster' && itp !== 'Local') {
    throw new ImportShapeError(`${key}: spec.internalTrafficPolicy ${String(itp)}`);
  }
  const model: ServiceRuleModel = {
    key,
    ips,
    ports,
    sessionAffinity: affinity as SessionAffinity,
    internalTrafficPolicy: itp,
    backends: slices.flatMap((slice) => backendsOfSlice(slice, key)),
  };
  const td = spec.trafficDistribution;
  if (typeof td === 'string' && td !== '') model.trafficDistribution = td;
  const config = spec.sessionAffinityConfig;
  if (isRecord(config) && isRecord(config.clientIP) && typeof config.clientIP.timeoutSeconds === 'number') {
    model.affinityTimeoutSeconds = config.clientIP.timeoutSeconds;
  }
  return model;
}

function backendsOfSlice(slice: KubeObject, key: ServiceKey): RuleBackend[] {
  const name = typeof slice.metadata?.name === 'string' ? slice.metadata.name : '<no name>';
  const where = `${key}: EndpointSlice ${name}`;
  const labels = isRecord(slice.metadata?.labels) ? slice.metadata.labels : {};
  const cluster = labels[SOURCE_CLUSTER_LABEL];
  if (typeof cluster !== 'string') throw new ImportShapeError(`${where}: no ${SOURCE_CLUSTER_LABEL} label`);
  const addressType = slice.addressType;
  // FQDN slices carry no address a DNAT can use.
  if (addressType === 'FQDN') return [];
  if (addressType !== 'IPv4' && addressType !== 'IPv6') {
    throw new ImportShapeError(`${where}: addressType ${String(addressType)}`);
  }
  const family: IPFamily = addressType;
  const ports = slice.ports === undefined || slice.ports === null ? [] : list(slice.ports, `${where}: ports`);
  const endpointPorts = ports.map((p, i) => endpointPort(p, `${where}: ports[${i}]`));
  const endpoints = slice.endpoints === undefined || slice.endpoints === null ? [] : list(slice.endpoints, where);
  const out: RuleBackend[] = [];
  endpoints.forEach((ep, i) => {
    const at = `${where}: endpoints[${i}]`;
    if (!isRecord(ep)) throw new ImportShapeError(`${at} is not an object`);
    const address = stringList(ep.addresses, `${at}.addresses`)[0];
    if (address === undefined) return;
    const conditions = isRecord(ep.conditions) ? ep.conditions : {};
    // Kubernetes: a nil ready means ready; a nil serving means "same as ready"; a nil terminating means not.
    const ready = conditions.ready !== false;
    const serving = typeof conditions.serving === 'boolean' ? conditions.serving : ready;
    const backend: RuleBackend = {
      cluster,
      address,
      family,
      ports: endpointPorts,
      ready,
      serving,
      terminating: conditions.terminating === true,
    };
    if (typeof ep.nodeName === 'string') backend.nodeName = ep.nodeName;
    if (typeof ep.zone === 'string') backend.zone = ep.zone;
    out.push(backend);
  });
  return out;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new ImportShapeError(`${where} is not a list`);
  return value;
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  return list(value, where).map((v, i) => {
    if (typeof v !== 'string') throw new ImportShapeError(`${where}[${i}] is not a string`);
    return v;
  });
}

function protocolOf(value: unknown, where: string): Protocol {
  const protocol = value ?? 'TCP';
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') {
    throw new ImportShapeError(`${where}.protocol ${String(protocol)}`);
  }
  return protocol;
}

function portNumber(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ImportShapeError(`${where}.port ${String(value)} is not a port number`);
  }
  return value;
}

function servicePort(value: unknown, where: string): ServicePort {
  if (!isRecord(value)) throw new ImportShapeError(`${where} is not an object`);
  const port: ServicePort = {
    name: typeof value.name === 'string' ? value.name : '',
    protocol: protocolOf(value.protocol, where),
    port: portNumber(value.port, where),
  };
  if (typeof value.appProtocol === 'string') port.appProtocol = value.appProtocol;
  return port;
}

function endpointPort(value: unknown, where: string): EndpointPort {
  return servicePort(value, where);
}
