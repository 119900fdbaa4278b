// Every setting of the controller, once: its name in the config file, its flag, its environment variable,
// its default and what it means. --help and the README's configuration reference come from this table.

export type FieldType =
  | 'string'
  | 'path'
  | 'hostport'
  | 'cidr4'
  | 'cidr6'
  | 'level'
  | 'seconds'
  | 'int'
  | 'bool'
  | 'list';

export interface FieldSpec {
  /** The key in the YAML config file (camelCase). */
  key: string;
  flag: string;
  env: string;
  type: FieldType;
  default?: string;
  help: string;
  commands: readonly ('run' | 'render' | 'agent')[];
}

export const FIELDS: readonly FieldSpec[] = [
  {
    key: 'clusters',
    flag: '--clusters',
    env: 'CLUSTERSET_CLUSTERS',
    type: 'path',
    help: 'Folder of member clusters given as manifests: one sub-folder per cluster (the folder name is the cluster name).',
    commands: ['run', 'render'],
  },
  {
    key: 'kubeconfig',
    flag: '--kubeconfig',
    env: 'CLUSTERSET_KUBECONFIG',
    type: 'list',
    help: "Kubeconfig file(s) of member clusters, comma-separated. Each context of each file is a member cluster unless --contexts picks some. The agent uses the first file's current context, or its in-cluster service account when unset.",
    commands: ['run', 'agent'],
  },
  {
    key: 'contexts',
    flag: '--contexts',
    env: 'CLUSTERSET_CONTEXTS',
    type: 'list',
    help: 'Kubeconfig contexts to use as member clusters, comma-separated; `name=context` sets the cluster name (default: the context name).',
    commands: ['run'],
  },
  {
    key: 'leaderElect',
    flag: '--leader-elect',
    env: 'CLUSTERSET_LEADER_ELECT',
    type: 'bool',
    default: 'false',
    help: 'Run several replicas: only the holder of a Lease writes to member clusters; the others merge and serve DNS.',
    commands: ['run'],
  },
  {
    key: 'leaderElectionCluster',
    flag: '--leader-election-cluster',
    env: 'CLUSTERSET_LEADER_ELECTION_CLUSTER',
    type: 'string',
    help: 'Member cluster that holds the Lease; default: the first member cluster.',
    commands: ['run'],
  },
  {
    key: 'leaderElectionNamespace',
    flag: '--leader-election-namespace',
    env: 'CLUSTERSET_LEADER_ELECTION_NAMESPACE',
    type: 'string',
    default: 'clusterset-system',
    help: 'Namespace of the Lease `clusterset-controller` (it must exist in that cluster).',
    commands: ['run'],
  },
  {
    key: 'memberGracePeriod',
    flag: '--member-grace-period',
    env: 'CLUSTERSET_MEMBER_GRACE_PERIOD',
    type: 'seconds',
    default: '60',
    help: 'How long an unreachable member cluster keeps its endpoints in the clusterset (its exports and imports always stay).',
    commands: ['run'],
  },
  {
    key: 'out',
    flag: '--out',
    env: 'CLUSTERSET_OUT',
    type: 'path',
    help: 'Folder to write the rendered objects to, one sub-folder per member cluster.',
    commands: ['render'],
  },
  {
    key: 'httpAddress',
    flag: '--http-address',
    env: 'CLUSTERSET_HTTP_ADDRESS',
    type: 'hostport',
    default: '0.0.0.0:8080',
    help: 'Where the ops server (/metrics, /healthz, /readyz, /debug/clusterset) listens.',
    commands: ['run', 'agent'],
  },
  {
    key: 'dnsAddress',
    flag: '--dns-address',
    env: 'CLUSTERSET_DNS_ADDRESS',
    type: 'hostport',
    help: 'Where the clusterset.local DNS server listens (UDP and TCP); unset: no DNS server.',
    commands: ['run'],
  },
  {
    key: 'dnsTTL',
    flag: '--dns-ttl',
    env: 'CLUSTERSET_DNS_TTL',
    type: 'seconds',
    default: '5',
    help: 'TTL of DNS answers, in seconds.',
    commands: ['run'],
  },
  {
    key: 'dnsWorkers',
    flag: '--dns-workers',
    env: 'CLUSTERSET_DNS_WORKERS',
    type: 'int',
    default: '1',
    help: 'DNS worker threads sharing the port (SO_REUSEPORT); more than one pays off with more than one core.',
    commands: ['run'],
  },
  {
    key: 'clusterSetIPv4Range',
    flag: '--clusterset-ipv4-range',
    env: 'CLUSTERSET_IPV4_RANGE',
    type: 'cidr4',
    default: '198.19.0.0/16',
    help: 'CIDR that IPv4 ClusterSetIPs are allocated from. Must not overlap pod, service or node networks.',
    commands: ['run', 'render'],
  },
  {
    key: 'clusterSetIPv6Range',
    flag: '--clusterset-ipv6-range',
    env: 'CLUSTERSET_IPV6_RANGE',
    type: 'cidr6',
    default: 'fd00:c1a5:7e7::/112',
    help: 'CIDR that IPv6 ClusterSetIPs are allocated from.',
    commands: ['run', 'render'],
  },
  {
    key: 'transitionTime',
    flag: '--transition-time',
    env: 'CLUSTERSET_TRANSITION_TIME',
    type: 'string',
    help: 'lastTransitionTime written into rendered conditions (RFC 3339); default: now. Fix it for reproducible output.',
    commands: ['render'],
  },
  {
    key: 'nodeName',
    flag: '--node-name',
    env: 'NODE_NAME',
    type: 'string',
    help: "The node the agent programs (the DaemonSet sets it from the pod's spec.nodeName).",
    commands: ['agent'],
  },
  {
    key: 'namespace',
    flag: '--namespace',
    env: 'POD_NAMESPACE',
    type: 'string',
    default: 'clusterset-system',
    help: "Namespace of the agent's status Lease.",
    commands: ['agent'],
  },
  {
    key: 'meshServiceEntries',
    flag: '--mesh-service-entries',
    env: 'CLUSTERSET_MESH_SERVICE_ENTRIES',
    type: 'bool',
    default: 'true',
    help: 'Write an Istio ServiceEntry for each imported service into clusters that serve the ServiceEntry CRD (networking.istio.io/v1). false: none.',
    commands: ['run', 'render'],
  },
  {
    key: 'meshRevision',
    flag: '--mesh-revision',
    env: 'CLUSTERSET_MESH_REVISION',
    type: 'string',
    help: 'Value of the istio.io/rev label on the ServiceEntries, so that only that Istio revision reads them (a revision name, not a tag); unset: every revision.',
    commands: ['run', 'render'],
  },
  {
    key: 'meshConfigCluster',
    flag: '--mesh-config-cluster',
    env: 'CLUSTERSET_MESH_CONFIG_CLUSTER',
    type: 'string',
    help: 'Write the ServiceEntries only into this member cluster (the config cluster of an external Istio control plane); unset: into every member cluster.',
    commands: ['run', 'render'],
  },
  {
    key: 'meshNetworks',
    flag: '--mesh-networks',
    env: 'CLUSTERSET_MESH_NETWORKS',
    type: 'list',
    help: "Istio network of each cluster's endpoints, comma-separated cluster=network; unset for a cluster: the topology.istio.io/network label of its istio-system namespace, else none.",
    commands: ['run', 'render'],
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'CLUSTERSET_LOG_LEVEL',
    type: 'level',
    default: 'info',
    help: 'debug, info, warn or error.',
    commands: ['run', 'render', 'agent'],
  },
];
