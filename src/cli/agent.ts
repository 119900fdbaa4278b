// `clusterset agent`: the node agent. It reads its own cluster's ServiceImports and MCS EndpointSlices and
// programs this node's nftables table; it needs nothing from the controller.
import { KubeConfig } from '@kubernetes/client-node';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startClusterAgent } from '../agent/cluster-agent.ts';
import { type Config, ConfigError } from '../config/load.ts';
import { startOpsServer } from '../http/server.ts';
import { KubeClient } from '../kube/client.ts';
import type { Logger } from '../log.ts';

export async function runAgentCommand(config: Config, logger: Logger): Promise<number> {
  if (!config.nodeName) throw new ConfigError('nodeName: required (--node-name, or NODE_NAME from the pod spec)');
  const kc = new KubeConfig();
  const file = config.kubeconfig[0];
  if (file) kc.loadFromFile(file);
  else kc.loadFromCluster();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'clusterset_agent_process_' });
  const agent = startClusterAgent({
    client: new KubeClient(config.nodeName, kc),
    nodeName: config.nodeName,
    namespace: config.namespace ?? 'clusterset-system',
    registry,
    logger,
  });
  const ops = await startOpsServer({
    host: config.httpAddress.host,
    port: config.httpAddress.port,
    registry,
    logger,
    ready: () => agent.ready(),
    readiness: () => agent.readiness(),
    debug: [{ path: '/debug/node', handler: () => agent.agent.status() }],
  });
  logger.info('node agent running', { node: config.nodeName, ops: ops.url });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await agent.stop();
  await ops.close();
  return 0;
}
