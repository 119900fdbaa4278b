// The DNS server's Prometheus metrics, registered on the registry the caller gives. Values come from plain counters
// (stats.ts) read at scrape time, so the query path never touches prom-client.
import { Counter, Gauge, Histogram, type MetricType, type Registry } from 'prom-client';
import { COUNTED_RCODES, COUNTED_TYPES, type DnsStatsSnapshot, LATENCY_BUCKETS } from './stats.ts';

export type SnapshotSource = () => Promise<DnsStatsSnapshot>;

/**
 * A histogram whose buckets are filled from a snapshot rather than by observe(): prom-client has no setter, so
 * get() (JSON, aggregation) and getForPromString() (the text the registry prints; prom-client 15 prefers it) are
 * overridden to report the snapshot's cumulative buckets in the shape prom-client's registry formats.
 */
class SnapshotHistogram extends Histogram<string> {
  private readonly metricName: string;
  private readonly metricHelp: string;
  private readonly read: SnapshotSource;

  constructor(name: string, help: string, registry: Registry, read: SnapshotSource) {
    super({ name, help, buckets: LATENCY_BUCKETS, registers: [registry] });
    this.metricName = name;
    this.metricHelp = help;
    this.read = read;
  }

  async getForPromString() {
    return this.get();
  }

  override async get() {
    const s = await this.read();
    const name = this.metricName;
    let cumulative = 0;
    const values: { value: number; labels: Partial<Record<string, string | number>>; metricName: string }[] =
      LATENCY_BUCKETS.map((le, i) => {
        cumulative += s.latencyBuckets[i] ?? 0;
        return { value: cumulative, labels: { le }, metricName: `${name}_bucket` };
      });
    values.push(
      { value: s.latencyCount, labels: { le: '+Inf' }, metricName: `${name}_bucket` },
      { value: s.latencySum, labels: {}, metricName: `${name}_sum` },
      { value: s.latencyCount, labels: {}, metricName: `${name}_count` },
    );
    // The runtime type is the string 'histogram'; the .d.ts calls it an enum member.
    const type = 'histogram' as unknown as MetricType;
    return { name, help: this.metricHelp, type, values, aggregator: 'sum' as const, collect: () => {} };
  }
}

/** One snapshot serves every metric of a scrape: reading workers costs a message round trip. */
function memoize(read: SnapshotSource, forMs: number): SnapshotSource {
  let last: { at: number; value: Promise<DnsStatsSnapshot> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > forMs) last = { at: now, value: read() };
    return last.value;
  };
}

export function registerDnsMetrics(registry: Registry, source: SnapshotSource): void {
  const read = memoize(source, 200);
  new Counter({
    name: 'clusterset_dns_queries_total',
    help: 'DNS queries answered, by query type and response code',
    labelNames: ['type', 'rcode'],
    registers: [registry],
    async collect() {
      const s = await read();
      this.reset();
      COUNTED_TYPES.forEach((type, t) => {
        COUNTED_RCODES.forEach((rcode, r) => {
          const v = s.queries[t * COUNTED_RCODES.length + r] ?? 0;
          if (v > 0) this.inc({ type, rcode }, v);
        });
      });
    },
  });
  new SnapshotHistogram(
    'clusterset_dns_request_duration_seconds',
    'Time from receiving a DNS query to handing its response to the socket',
    registry,
    read,
  );
  const counter = (name: string, help: string, pick: (s: DnsStatsSnapshot) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      async collect() {
        const v = pick(await read());
        this.reset();
        this.inc(v);
      },
    });
  counter('clusterset_dns_cache_hits_total', 'DNS answers served from the encoded-answer cache', (s) => s.cacheHits);
  counter('clusterset_dns_cache_misses_total', 'DNS answers built from the zone (then cached)', (s) => s.cacheMisses);
  counter('clusterset_dns_truncated_total', 'UDP answers sent with TC because they did not fit', (s) => s.truncated);
  counter('clusterset_dns_dropped_total', 'Packets dropped without an answer (responses, runts)', (s) => s.dropped);
  const gauge = (name: string, help: string, pick: (s: DnsStatsSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await read()));
      },
    });
  gauge('clusterset_dns_zone_names', 'Owner names in the clusterset.local zone', (s) => s.zoneNames);
  gauge('clusterset_dns_zone_services', 'Services with at least one name in the zone', (s) => s.zoneServices);
}
