// The node agent's metrics, registered on the Registry the process exposes on /metrics.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AgentMetrics {
  appliedGeneration: Gauge;
  healthy: Gauge;
  services: Gauge;
  applyDuration: Histogram<'kind'>;
  applyFailures: Counter<'kind'>;
  elementOps: Counter;
  driftRepairs: Counter;
  lastApplyTimestamp: Gauge;
}

export function registerAgentMetrics(registry: Registry): AgentMetrics {
  const registers = [registry];
  return {
    appliedGeneration: new Gauge({
      name: 'clusterset_agent_applied_generation',
      help: 'Generation of the node rules last applied to this node (increases by one per transaction)',
      registers,
    }),
    healthy: new Gauge({
      name: 'clusterset_agent_healthy',
      help: '1 when the node rules match the cluster as last read, 0 while an apply is failing or before the first one',
      registers,
    }),
    services: new Gauge({
      name: 'clusterset_agent_services',
      help: 'ClusterSetIP services programmed on this node',
      registers,
    }),
    applyDuration: new Histogram({
      name: 'clusterset_agent_apply_duration_seconds',
      help: 'Time to render and apply one nft transaction, by kind (full or delta)',
      labelNames: ['kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    applyFailures: new Counter({
      name: 'clusterset_agent_apply_failures_total',
      help: 'nft transactions refused, by kind (full or delta); a refused delta is followed by a full rebuild',
      labelNames: ['kind'],
      registers,
    }),
    elementOps: new Counter({
      name: 'clusterset_agent_element_operations_total',
      help: 'Set and map elements added or deleted by delta transactions',
      registers,
    }),
    driftRepairs: new Counter({
      name: 'clusterset_agent_drift_repairs_total',
      help: 'Times the table was found changed behind the agent (flushed, deleted) and rebuilt',
      registers,
    }),
    lastApplyTimestamp: new Gauge({
      name: 'clusterset_agent_last_apply_timestamp_seconds',
      help: 'Unix time of the last successful nft transaction',
      registers,
    }),
  };
}
