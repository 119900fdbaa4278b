// Every metric of the controller process, defined in one place on one Registry per process.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ControllerMetrics {
  registry: Registry;
  sourceSynced: Gauge<'cluster'>;
  sourceProblems: Gauge<'cluster'>;
  exports: Gauge<'cluster'>;
  imports: Gauge;
  conflicts: Gauge;
  reconcileDuration: Histogram;
  reconcileErrors: Counter;
  queueDepth: Gauge;
  queueAdds: Counter;
  queueRetries: Counter;
  queueLatency: Histogram;
  writes: Counter<'cluster' | 'kind' | 'verb'>;
  leader: Gauge;
  writeErrors: Counter<'cluster' | 'kind'>;
  meshSkipped: Gauge<'reason'>;
}

export function createControllerMetrics(options: { defaultMetrics?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'clusterset_process_' });
  const registers = [registry];
  return {
    registry,
    sourceSynced: new Gauge({
      name: 'clusterset_source_synced',
      help: '1 when the source of a member cluster has completed its first full read and is current, else 0',
      labelNames: ['cluster'],
      registers,
    }),
    sourceProblems: new Gauge({
      name: 'clusterset_source_input_problems',
      help: 'Objects or files of a member cluster that could not be read (see the logs and /debug/clusterset)',
      labelNames: ['cluster'],
      registers,
    }),
    exports: new Gauge({
      name: 'clusterset_service_exports',
      help: 'ServiceExports seen in a member cluster',
      labelNames: ['cluster'],
      registers,
    }),
    imports: new Gauge({
      name: 'clusterset_service_imports',
      help: 'Multi-cluster services with a ServiceImport',
      registers,
    }),
    conflicts: new Gauge({
      name: 'clusterset_service_conflicts',
      help: 'Multi-cluster services whose exports conflict (Conflict=True)',
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'clusterset_reconcile_duration_seconds',
      help: 'Time to merge one service and hand the result to every output',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    reconcileErrors: new Counter({
      name: 'clusterset_reconcile_errors_total',
      help: 'Reconciles that failed and were retried',
      registers,
    }),
    queueDepth: new Gauge({
      name: 'clusterset_queue_depth',
      help: 'Service keys waiting in the work queue',
      registers,
    }),
    queueAdds: new Counter({ name: 'clusterset_queue_adds_total', help: 'Adds to the work queue', registers }),
    queueRetries: new Counter({
      name: 'clusterset_queue_retries_total',
      help: 'Rate-limited re-adds after a failure',
      registers,
    }),
    queueLatency: new Histogram({
      name: 'clusterset_queue_latency_seconds',
      help: 'Time a key waits in the queue before it is processed',
      buckets: [0.0001, 0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    }),
    leader: new Gauge({
      name: 'clusterset_leader',
      help: '1 while this replica holds the leader lease and writes to member clusters (1 as well without leader election)',
      registers,
    }),
    writes: new Counter({
      name: 'clusterset_api_writes_total',
      help: 'Writes to member cluster API servers',
      labelNames: ['cluster', 'kind', 'verb'],
      registers,
    }),
    writeErrors: new Counter({
      name: 'clusterset_api_write_errors_total',
      help: 'Failed writes to member cluster API servers',
      labelNames: ['cluster', 'kind'],
      registers,
    }),
    meshSkipped: new Gauge({
      name: 'clusterset_mesh_services_skipped',
      help: 'Imported services that get no Istio ServiceEntry because one cannot express them (or the name is taken), by reason',
      labelNames: ['reason'],
      registers,
    }),
  };
}
