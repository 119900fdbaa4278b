// The agent on a real cluster: kube input (reflectors + own Node) → runAgent → Lease status. What `clusterset agent`
// starts; the CLI adds the ops server (/metrics, /healthz, /readyz) and signal handling.
import type { Registry } from 'prom-client';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../log.ts';
import { kubeAgentInput, leaseApi } from './kube-input.ts';
import { LeaseStatusReporter } from './lease-status.ts';
import { type AgentHandle, type AgentOptions, runAgent } from './run-agent.ts';

export interface ClusterAgentOptions {
  client: KubeClient;
  /** spec.nodeName of the agent's pod (env NODE_NAME). */
  nodeName: string;
  /** The agent's namespace, where its Lease lives (env POD_NAMESPACE). */
  namespace: string;
  registry: Registry;
  logger: Logger;
  /** Passed through to runAgent (table, intervals, nft runner). */
  agent?: Partial<Omit<AgentOptions, 'nodeName' | 'input' | 'registry' | 'status' | 'logger'>>;
}

export interface ClusterAgent {
  agent: AgentHandle;
  ready(): boolean;
  readiness(): Record<string, unknown>;
  stop(): Promise<void>;
}

export function startClusterAgent(options: ClusterAgentOptions): ClusterAgent {
  const logger = options.logger.child({ component: 'agent', node: options.nodeName });
  const input = kubeAgentInput({ client: options.client, nodeName: options.nodeName, logger });
  const agent = runAgent({
    ...options.agent,
    nodeName: options.nodeName,
    input: input.input,
    registry: options.registry,
    status: new LeaseStatusReporter({ api: leaseApi(options.client), namespace: options.namespace }),
    logger,
  });
  input.start();
  return {
    agent,
    ready: () => agent.ready(),
    readiness: () => ({ ...agent.status(), watching: input.healthy() }),
    async stop() {
      await input.stop();
      await agent.stop();
    },
  };
}
