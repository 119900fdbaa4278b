// What each agent tells operators and the controller about its node: which generation of rules is applied and
// whether the node is programmed. Reported through a StatusReporter (a Lease in the agent's namespace by default).
export interface AgentStatus {
  nodeName: string;
  /** The cluster has been read (both kinds listed, Node seen). */
  synced: boolean;
  /** The table matches the cluster as last read. */
  healthy: boolean;
  generation: number;
  services: number;
  /** RFC 3339 time of the last successful transaction. */
  lastApply?: string;
  lastError?: string;
}

export interface StatusReporter {
  report(status: AgentStatus): Promise<void>;
}
