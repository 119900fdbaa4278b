// `clusterset run`: the controller. Sources → merge → outputs, with the ops server beside it; stops in
// reverse order on SIGINT/SIGTERM.

import { hostname } from 'node:os';
import { membersFromKubeconfig } from '../clusters/kubeconfig-members.ts';
import { type Config, ConfigError } from '../config/load.ts';
import { type DnsServer, startDnsServer } from '../dns/server.ts';
import { clustersetJson, resultJson } from '../http/debug-view.ts';
import { startOpsServer } from '../http/server.ts';
import { LeaderElector } from '../kube/leader-election.ts';
import type { Logger } from '../log.ts';
import { ClusterSetIpAllocator } from '../mcs/clustersetip.ts';
import type { ServiceKey } from '../mcs/types.ts';
import { parseMeshNetworks } from '../mesh/networks.ts';
import { createControllerMetrics } from '../metrics.ts';
import { nodeRulesForView } from '../noderules/debug-view.ts';
import { fileSourcesIn } from '../sources/file-source.ts';
import { KubeSource } from '../sources/kube-source.ts';
import type { Source } from '../sources/source.ts';
import type { ViewSink } from '../sync/controller.ts';
import { Controller } from '../sync/controller.ts';
import { DnsSink } from '../sync/dns-sink.ts';
import { LeaderGate } from '../sync/leader-gate.ts';
import { MemberWriters } from '../sync/member-writer.ts';
import { MeshWriter } from '../sync/mesh-writer.ts';

export interface Running {
  controller: Controller;
  httpUrl: string;
  dns?: DnsServer;
  stop(): Promise<void>;
}

export async function run(config: Config, logger: Logger): Promise<Running> {
  const sources: Source[] = [];
  if (config.clusters) sources.push(...(await fileSourcesIn(config.clusters, logger)));
  const kubeSources: KubeSource[] = [];
  if (config.kubeconfig.length > 0) {
    for (const m of membersFromKubeconfig(config.kubeconfig, config.contexts)) {
      // Only the clusters that get ServiceEntries watch them.
      const serviceEntries =
        config.meshServiceEntries && (config.meshConfigCluster === undefined || config.meshConfigCluster === m.name);
      kubeSources.push(new KubeSource({ name: m.name, kubeConfig: m.kubeConfig, logger, serviceEntries }));
      logger.info('member cluster', {
        cluster: m.name,
        context: m.context,
        kubeconfig: m.file,
        server: m.kubeConfig.getCurrentCluster()?.server,
      });
    }
    sources.push(...kubeSources);
  } else if (config.contexts.length > 0) {
    throw new Error('contexts: needs --kubeconfig');
  }
  if (sources.length === 0)
    throw new Error('clusters: no member clusters given (--clusters <folder> or --kubeconfig <file>)');
  const metrics = createControllerMetrics();
  const controller = new Controller({
    sources,
    allocator: new ClusterSetIpAllocator({ IPv4: config.clusterSetIPv4Range, IPv6: config.clusterSetIPv6Range }),
    logger,
    metrics,
    gracePeriodMs: config.memberGracePeriod * 1000,
  });
  // With leader election, only the replica holding the Lease writes; every replica merges and serves DNS.
  let elector: LeaderElector | undefined;
  const writer = (sink: ViewSink): ViewSink => (elector ? new LeaderGate(sink, () => elector?.leading === true) : sink);
  if (config.leaderElect && kubeSources.length > 0) {
    const name = config.leaderElectionCluster;
    const holder = name === undefined ? kubeSources[0] : kubeSources.find((s) => s.name === name);
    if (!holder) throw new ConfigError(`leaderElectionCluster: "${name}" is not a member cluster`);
    elector = new LeaderElector({
      client: holder.client,
      namespace: config.leaderElectionNamespace,
      name: 'clusterset-controller',
      identity: process.env.POD_NAME ?? `${hostname()}-${process.pid}`,
      logger,
      onChange: (leading) => {
        metrics.leader.set(leading ? 1 : 0);
        if (leading) controller.resyncAll();
      },
    });
  } else metrics.leader.set(1);
  if (kubeSources.length > 0) controller.addSink(writer(new MemberWriters(kubeSources, logger, metrics)));
  if (kubeSources.length > 0 && config.meshServiceEntries) {
    const cc = config.meshConfigCluster;
    if (cc !== undefined && !kubeSources.some((s) => s.name === cc))
      throw new ConfigError(
        `meshConfigCluster: "${cc}" is not a member cluster (members: ${kubeSources.map((s) => s.name).join(', ')})`,
      );
    controller.addSink(
      writer(
        new MeshWriter({
          sources: kubeSources,
          configCluster: config.meshConfigCluster,
          revision: config.meshRevision,
          networks: parseMeshNetworks(config.meshNetworks),
          logger,
          metrics,
        }),
      ),
    );
  }
  let dns: DnsServer | undefined;
  if (config.dnsAddress) {
    const dnsLog = logger.child({ component: 'dns' });
    dns = await startDnsServer({
      host: config.dnsAddress.host,
      port: config.dnsAddress.port,
      ttl: config.dnsTTL,
      workers: config.dnsWorkers,
      registry: metrics.registry,
      // The DNS room logs pino-style (fields first).
      logger: {
        info: (f, m) => dnsLog.info(m ?? 'dns', f as Record<string, unknown>),
        warn: (f, m) => dnsLog.warn(m ?? 'dns', f as Record<string, unknown>),
        error: (f, m) => dnsLog.error(m ?? 'dns', f as Record<string, unknown>),
      },
    });
    controller.addSink(new DnsSink(dns));
    logger.info('DNS server listening', {
      address: `${config.dnsAddress.host}:${dns.udpPort}`,
      zone: 'clusterset.local',
    });
  }
  const ops = await startOpsServer({
    host: config.httpAddress.host,
    port: config.httpAddress.port,
    registry: metrics.registry,
    logger,
    ready: () => controller.ready(),
    readiness: () => ({
      ...(elector ? { leader: elector.leading } : {}),
      clusters: Object.fromEntries(sources.map((s) => [s.name, s.synced() ? 'synced' : 'not synced'])),
    }),
    debug: [
      { path: '/debug/clusterset', handler: () => clustersetJson(sources, controller.results()) },
      {
        path: '/debug/clusterset/:namespace/:name',
        handler: (p) => {
          const r = controller.results().get(`${p.namespace}/${p.name}` as ServiceKey);
          return r ? resultJson(r) : undefined;
        },
      },
      {
        // The rules a node would get for one service, rendered by the node agent's own code.
        path: '/debug/noderules/:namespace/:name',
        handler: (p, q) => {
          const view = controller.results().get(`${p.namespace}/${p.name}` as ServiceKey)?.view;
          if (!view) return undefined;
          return nodeRulesForView(view, { nodeName: q.node ?? 'any-node', ...(q.zone ? { zone: q.zone } : {}) });
        },
      },
    ],
  });
  logger.info('ops server listening', { url: ops.url });
  await controller.start();
  elector?.start();
  return {
    controller,
    httpUrl: ops.url,
    dns,
    async stop() {
      await controller.stop();
      // After the writers stopped: the lease is handed back at once, so another replica need not wait it out.
      await elector?.stop();
      await dns?.close();
      await ops.close();
    },
  };
}
