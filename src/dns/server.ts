// startDnsServer: the clusterset.local DNS server the controller runs. It owns the transports; the controller
// feeds it ServiceViews. With workers > 1, each worker thread serves from its own zone copy on reusePort sockets
// and the main thread only forwards zone changes and sums the workers' counters.
import dgram from 'node:dgram';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Registry } from 'prom-client';
import type { ServiceKey, ServiceView } from '../mcs/types.ts';
import { ipBytes } from './ip-bytes.ts';
import { listenDns } from './listener.ts';
import { type DnsLogger, silentLogger } from './logger.ts';
import { registerDnsMetrics } from './metrics.ts';
import { DnsResponder, type ResponderOptions } from './responder.ts';
import { type DnsStatsSnapshot, sumSnapshots } from './stats.ts';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol.ts';
import { ZoneIndex, type ZoneOptions } from './zone.ts';

export interface DnsServerOptions {
  host: string;
  /** 0 picks a free port, the same for UDP and TCP. */
  port: number;
  /** Record TTL in seconds, default 5 (as CoreDNS). */
  ttl?: number;
  /** Serving threads; ≤ 1 serves on the calling thread. */
  workers?: number;
  registry?: Registry;
  logger?: DnsLogger;
  /** Zone apex, default clusterset.local. */
  zone?: string;
  /** This server's own addresses, published as the apex NS glue (ns.dns.<zone>). */
  nameserverAddresses?: string[];
  cache?: ResponderOptions;
}

export interface DnsServer {
  /** Publish (or replace) one service's names. Takes effect before the next query on the calling thread. */
  upsert(view: ServiceView): void;
  remove(key: ServiceKey): void;
  /** Resolves once every worker has applied every change made so far (immediate without workers). */
  flush(): Promise<void>;
  readonly udpPort: number;
  readonly tcpPort: number;
  close(): Promise<void>;
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const logger = options.logger ?? silentLogger;
  const zoneOptions = zoneOptionsOf(options);
  if ((options.workers ?? 1) <= 1) return startInProcess(options, zoneOptions, logger);
  return startWorkers(options, zoneOptions, logger, options.workers ?? 2);
}

function zoneOptionsOf(options: DnsServerOptions): ZoneOptions {
  const addresses = (options.nameserverAddresses ?? []).map(ipBytes).filter((b) => b !== undefined);
  return {
    zone: options.zone,
    ttl: options.ttl ?? 5,
    nameserverAddresses: {
      v4: addresses.filter((b) => b.length === 4),
      v6: addresses.filter((b) => b.length === 16),
    },
  };
}

async function startInProcess(options: DnsServerOptions, zoneOptions: ZoneOptions, logger: DnsLogger) {
  const zone = new ZoneIndex(zoneOptions);
  const responder = new DnsResponder(zone, options.cache);
  const listener = await listenDns(responder, options.host, options.port, false, logger);
  if (options.registry) {
    registerDnsMetrics(options.registry, async () => responder.stats.snapshot(zone.nameCount, zone.serviceCount));
  }
  logger.info({ udpPort: listener.udpPort, tcpPort: listener.tcpPort, zone: zone.apex }, 'dns: serving');
  const server: DnsServer = {
    upsert: (view) => void zone.upsert(view),
    remove: (key) => void zone.remove(key),
    flush: async () => {},
    udpPort: listener.udpPort,
    tcpPort: listener.tcpPort,
    close: () => listener.close(),
  };
  return server;
}

/** Hold a port for UDP and TCP with reusePort sockets, so the workers can join it and nobody else takes it. */
async function reservePort(host: string, port: number): Promise<{ port: number; release(): Promise<void> }> {
  for (let attempt = 1; ; attempt++) {
    const udp = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reusePort: true });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address: host, port }, () => resolve());
    });
    const chosen = udp.address().port;
    const tcp = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host, port: chosen, reusePort: true }, () => resolve());
      });
    } catch (err) {
      udp.close();
      if (port !== 0 || attempt >= 20) throw err;
      continue;
    }
    return {
      port: chosen,
      release: async () => {
        await Promise.all([
          new Promise<void>((r) => udp.close(() => r())),
          new Promise<void>((r) => tcp.close(() => r())),
        ]);
      },
    };
  }
}

async function startWorkers(
  options: DnsServerOptions,
  zoneOptions: ZoneOptions,
  logger: DnsLogger,
  count: number,
): Promise<DnsServer> {
  const reserved = await reservePort(options.host, options.port);
  const config: WorkerConfig = {
    host: options.host,
    port: reserved.port,
    zone: { ...zoneOptions, serial: Math.floor(Date.now() / 1000) },
    responder: options.cache ?? {},
  };
  let seq = 0;
  const waiting = new Map<
    number,
    { left: number; snapshots: DnsStatsSnapshot[]; done: (s: DnsStatsSnapshot[]) => void }
  >();
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: config });
    workers.push(worker);
    ready.push(
      new Promise<void>((resolve, reject) => {
        worker.on('error', (err) => {
          logger.error({ err: err.message, worker: i }, 'dns: worker failed');
          reject(err);
        });
        worker.on('message', (m: FromWorker) => {
          switch (m.kind) {
            case 'ready':
              resolve();
              return;
            case 'failed':
              reject(new Error(`dns worker ${i}: ${m.message}`));
              return;
            case 'log':
              logger[m.level]({ ...m.fields, worker: i }, m.message);
              return;
            case 'flushed':
            case 'stats': {
              const w = waiting.get(m.seq);
              if (!w) return;
              if (m.kind === 'stats') w.snapshots.push(m.snapshot);
              if (--w.left === 0) {
                waiting.delete(m.seq);
                w.done(w.snapshots);
              }
              return;
            }
            case 'closed':
              return;
          }
        });
      }),
    );
  }
  const broadcast = (m: ToWorker) => {
    for (const w of workers) w.postMessage(m);
  };
  const ask = (kind: 'flush' | 'stats') =>
    new Promise<DnsStatsSnapshot[]>((done) => {
      const id = ++seq;
      waiting.set(id, { left: workers.length, snapshots: [], done });
      broadcast({ kind, seq: id });
    });
  try {
    await Promise.all(ready);
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    await reserved.release();
    throw err;
  }
  // Every worker holds the port now; the reservation would only take a share of the packets it never reads.
  await reserved.release();
  if (options.registry) registerDnsMetrics(options.registry, async () => sumSnapshots(await ask('stats')));
  logger.info({ port: reserved.port, workers: count }, 'dns: serving');
  return {
    upsert: (view) => broadcast({ kind: 'upsert', view }),
    remove: (key) => broadcast({ kind: 'remove', key }),
    flush: async () => {
      await ask('flush');
    },
    udpPort: reserved.port,
    tcpPort: reserved.port,
    close: async () => {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.postMessage({ kind: 'close' } satisfies ToWorker);
              // A worker that does not finish closing in time is stopped: shutdown must not hang.
              setTimeout(() => void w.terminate(), 2000).unref();
            }),
        ),
      );
    },
  };
}
