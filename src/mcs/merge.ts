// merge(key, facts of every member cluster) → the ServiceExport conditions and the merged ServiceView.
// Pure: the cost is in proportion to this one service. ClusterSetIPs come from the caller (`ipsFor`), so
// allocation state stays outside and the merge can be re-run at will.
import { ConditionType, ConflictReason, condition, ReadyReason, ValidReason } from './conditions.ts';
import { describePort, samePort, samePortSet, unionPorts } from './ports.ts';
import type {
  ClusterFacts,
  ClusterId,
  Condition,
  EndpointGroup,
  ExporterState,
  ExportFacts,
  IPFamily,
  ServiceFacts,
  ServiceKey,
  ServicePort,
  ServiceView,
} from './types.ts';

export interface MergeOptions {
  /** ClusterSetIPs for a key, one per family in that order; throws AllocationError when none can be had. */
  ipsFor(key: ServiceKey, families: readonly IPFamily[]): string[];
  /** Families for which a ClusterSetIP range is configured. */
  families: readonly IPFamily[];
}

export interface MergeResult {
  key: ServiceKey;
  /** Every ServiceExport of this key with its desired conditions, sorted by cluster id. */
  exporters: ExporterState[];
  /** Undefined when no valid export exists: then no cluster imports the service. */
  view: ServiceView | undefined;
}

interface Constituent {
  cluster: ClusterId;
  exp: ExportFacts;
  svc: ServiceFacts;
}

const byCluster = (a: { cluster: string }, b: { cluster: string }) =>
  a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0;

export function merge(
  key: ServiceKey,
  clusters: ReadonlyMap<ClusterId, ClusterFacts>,
  options: MergeOptions,
): MergeResult {
  const slash = key.indexOf('/');
  const namespace = key.slice(0, slash);
  const name = key.slice(slash + 1);
  const invalid: ExporterState[] = [];
  const constituents: Constituent[] = [];
  for (const [cluster, facts] of clusters) {
    if (!facts.export) continue;
    const problem = validity(key, cluster, facts);
    if (problem) invalid.push({ cluster, valid: false, conditions: invalidConditions(problem) });
    else constituents.push({ cluster, exp: facts.export, svc: facts.service! });
  }
  // Oldest export first; equal timestamps (1 s granularity) are ordered by cluster id, the same everywhere.
  constituents.sort((a, b) =>
    a.exp.created < b.exp.created ? -1 : a.exp.created > b.exp.created ? 1 : byCluster(a, b),
  );
  const winner = constituents[0];
  if (!winner) return { key, exporters: invalid.sort(byCluster), view: undefined };

  const conflicts = new ConflictLog(winner.cluster, constituents.length);
  const headless = winner.svc.headless;
  conflicts.check(
    ConflictReason.Type,
    'type',
    constituents,
    (c) => c.svc.headless === headless,
    headless ? '"Headless"' : '"ClusterSetIP"',
  );

  const union = unionPorts(constituents.map((c) => ({ cluster: c.cluster, ports: c.svc.ports })));
  const portDisagree = constituents.filter((c) => !samePortSet(c.svc.ports, winner.svc.ports)).length;
  if (portDisagree > 0) {
    const left = union.rejected.map((r) => `${describePort(r.port)} from "${r.cluster}"`);
    conflicts.add(
      ConflictReason.Port,
      `Conflicting ports. ${portDisagree}/${constituents.length} clusters disagree. Using the union of the ports, the oldest export (cluster "${winner.cluster}") first` +
        (left.length > 0 ? `; left out: ${left.join(', ')}.` : '.'),
    );
  }

  const s = winner.svc;
  conflicts.check(
    ConflictReason.SessionAffinity,
    'sessionAffinity',
    constituents,
    (c) => c.svc.sessionAffinity === s.sessionAffinity,
    `"${s.sessionAffinity}"`,
  );
  const cfg = JSON.stringify(s.sessionAffinityConfig ?? null);
  conflicts.check(
    ConflictReason.SessionAffinityConfig,
    'sessionAffinityConfig',
    constituents.filter((c) => c.svc.sessionAffinity === s.sessionAffinity),
    (c) => JSON.stringify(c.svc.sessionAffinityConfig ?? null) === cfg,
    cfg,
  );
  conflicts.check(
    ConflictReason.InternalTrafficPolicy,
    'internalTrafficPolicy',
    constituents,
    (c) => c.svc.internalTrafficPolicy === s.internalTrafficPolicy,
    `"${s.internalTrafficPolicy ?? 'Cluster'}"`,
  );
  conflicts.check(
    ConflictReason.TrafficDistribution,
    'trafficDistribution',
    constituents,
    (c) => c.svc.trafficDistribution === s.trafficDistribution,
    s.trafficDistribution === undefined ? '(unset)' : `"${s.trafficDistribution}"`,
  );
  const famKey = (f: readonly IPFamily[]) => [...f].sort().join(',');
  // Families are compared among exports of the winner's type only: a headless Service without a selector
  // gets the API server's defaults for headless, which say nothing about reaching a ClusterSetIP (that
  // export is already in TypeConflict).
  conflicts.check(
    ConflictReason.IPFamily,
    'ipFamilies',
    constituents.filter((c) => c.svc.headless === headless),
    (c) => famKey(c.svc.ipFamilies) === famKey(s.ipFamilies),
    `"${s.ipFamilies.join(',')}"`,
  );
  const labels = stableJson(winner.exp.exportedLabels);
  conflicts.check(
    ConflictReason.Labels,
    'exportedLabels',
    constituents,
    (c) => stableJson(c.exp.exportedLabels) === labels,
    labels,
  );
  const annotations = stableJson(winner.exp.exportedAnnotations);
  conflicts.check(
    ConflictReason.Annotations,
    'exportedAnnotations',
    constituents,
    (c) => stableJson(c.exp.exportedAnnotations) === annotations,
    annotations,
  );

  const importers = [...clusters]
    .filter(([, f]) => f.namespaceExists)
    .map(([c]) => c)
    .sort();
  let ips: string[] = [];
  let ipFamilies = [...s.ipFamilies];
  if (!headless) {
    ipFamilies = ipFamilies.filter((f) => options.families.includes(f));
    if (ipFamilies.length === 0) {
      const problem = `no ClusterSetIP range is configured for ${s.ipFamilies.join(' or ')}`;
      return {
        key,
        exporters: [...invalid, ...constituents.map((c) => failed(c.cluster, problem))].sort(byCluster),
        view: undefined,
      };
    }
    try {
      ips = options.ipsFor(key, ipFamilies);
    } catch (err) {
      const problem = `no ClusterSetIP could be allocated: ${(err as Error).message}`;
      return {
        key,
        exporters: [...invalid, ...constituents.map((c) => failed(c.cluster, problem))].sort(byCluster),
        view: undefined,
      };
    }
  }

  const endpointsBySource = new Map<ClusterId, EndpointGroup[]>();
  for (const c of [...constituents].sort(byCluster)) {
    const groups = exposedEndpoints(clusters.get(c.cluster)!.endpoints, c.svc, union.ports, ipFamilies);
    if (groups.length > 0) endpointsBySource.set(c.cluster, groups);
  }

  const conflictCondition = conflicts.condition();
  const type = headless ? 'Headless' : 'ClusterSetIP';
  const exporters: ExporterState[] = [
    ...invalid,
    ...constituents.map((c) => ({
      cluster: c.cluster,
      valid: true,
      conditions: [
        condition(ConditionType.Valid, 'True', ValidReason.Valid, `Service ${key} is valid for export.`),
        condition(
          ConditionType.Ready,
          'True',
          ReadyReason.Exported,
          `Exported as a ${type} service from ${constituents.length} cluster(s), imported by ${importers.length}.`,
        ),
        conflictCondition,
      ],
    })),
  ].sort(byCluster);

  const view: ServiceView = {
    key,
    namespace,
    name,
    type,
    ports: union.ports,
    ips,
    ipFamilies,
    sessionAffinity: s.sessionAffinity,
    labels: { ...winner.exp.exportedLabels },
    annotations: { ...winner.exp.exportedAnnotations },
    importers,
    exporters,
    endpointsBySource,
  };
  if (s.sessionAffinityConfig) view.sessionAffinityConfig = s.sessionAffinityConfig;
  if (s.internalTrafficPolicy) view.internalTrafficPolicy = s.internalTrafficPolicy;
  if (s.trafficDistribution !== undefined) view.trafficDistribution = s.trafficDistribution;
  return { key, exporters, view };
}

function validity(
  key: ServiceKey,
  cluster: ClusterId,
  facts: ClusterFacts,
): { reason: string; message: string } | undefined {
  if (facts.export?.problem) {
    return {
      reason: ValidReason.InvalidServiceExport,
      message: `ServiceExport ${key} in cluster "${cluster}" cannot be honoured: ${facts.export.problem}`,
    };
  }
  if (facts.serviceProblem) {
    return {
      reason: ValidReason.InvalidService,
      message: `Service ${key} in cluster "${cluster}" cannot be exported: ${facts.serviceProblem}`,
    };
  }
  if (!facts.service)
    return { reason: ValidReason.NoService, message: `Service ${key} does not exist in cluster "${cluster}".` };
  if (facts.service.type === 'ExternalName') {
    return {
      reason: ValidReason.InvalidServiceType,
      message: `Service ${key} is of type ExternalName, which cannot be exported.`,
    };
  }
  return undefined;
}

function invalidConditions(problem: { reason: string; message: string }): Condition[] {
  // A missing Service may yet appear: Pending. A Service of the wrong shape needs a user's change: Failed.
  const ready = problem.reason === ValidReason.NoService ? ReadyReason.Pending : ReadyReason.Failed;
  return [
    condition(ConditionType.Valid, 'False', problem.reason, problem.message),
    condition(ConditionType.Ready, 'False', ready, `Not exported: ${problem.message}`),
    condition(ConditionType.Conflict, 'False', ConflictReason.None, 'Not a constituent of the merged service.'),
  ];
}

function failed(cluster: ClusterId, problem: string): ExporterState {
  return {
    cluster,
    valid: true,
    conditions: [
      condition(ConditionType.Valid, 'True', ValidReason.Valid, 'Service is valid for export.'),
      condition(ConditionType.Ready, 'False', ReadyReason.Failed, `Not exported: ${problem}.`),
      condition(ConditionType.Conflict, 'False', ConflictReason.None, 'No conflicts were checked.'),
    ],
  };
}

/** The endpoints of one exporting cluster that can serve the merged ports this cluster really exposes. */
function exposedEndpoints(
  groups: readonly EndpointGroup[],
  svc: ServiceFacts,
  merged: readonly ServicePort[],
  families: readonly IPFamily[],
): EndpointGroup[] {
  const exposed = new Set(
    svc.ports.filter((p) => merged.some((m) => samePort(m, p))).map((p) => `${p.name}|${p.protocol}`),
  );
  const out: EndpointGroup[] = [];
  for (const g of groups) {
    if (!families.includes(g.addressType) || g.endpoints.length === 0) continue;
    if (svc.ports.length === 0) {
      out.push(g);
      continue;
    }
    const ports = g.ports.filter((p) => exposed.has(`${p.name}|${p.protocol}`));
    if (ports.length > 0) out.push({ ...g, ports });
  }
  return out;
}

function stableJson(map: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(map)
      .sort()
      .map((k) => [k, map[k]]),
  );
}

/** Collects the conflicts of one merge, and renders the one Conflict condition all constituents share. */
class ConflictLog {
  readonly #reasons: string[] = [];
  readonly #messages: string[] = [];
  readonly #winner: ClusterId;
  readonly #total: number;

  constructor(winner: ClusterId, total: number) {
    this.#winner = winner;
    this.#total = total;
  }

  check<T extends { cluster: ClusterId }>(
    reason: string,
    field: string,
    members: readonly T[],
    agrees: (c: T) => boolean,
    value: string,
  ): void {
    const disagree = members.filter((c) => !agrees(c)).length;
    if (disagree === 0) return;
    this.add(
      reason,
      `Conflicting ${field}. ${disagree}/${this.#total} clusters disagree. Using ${value} from the oldest export, in cluster "${this.#winner}".`,
    );
  }

  add(reason: string, message: string): void {
    this.#reasons.push(reason);
    this.#messages.push(message);
  }

  condition(): Condition {
    if (this.#reasons.length === 0)
      return condition(ConditionType.Conflict, 'False', ConflictReason.None, 'No conflicts with the other exports.');
    return condition(ConditionType.Conflict, 'True', this.#reasons.join(','), this.#messages.join(' '));
  }
}
