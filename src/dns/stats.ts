// Plain counters on the query path (typed arrays, no labels to hash), read into prom-client metrics at scrape time
// (metrics.ts). Worker threads keep their own and send snapshots; the main thread sums them.

/** Query types counted by name; every other type is counted as "other". */
export const COUNTED_TYPES = ['A', 'NS', 'SOA', 'TXT', 'AAAA', 'SRV', 'ANY', 'PTR', 'other'] as const;
const TYPE_NUMBERS: Record<number, number> = { 1: 0, 2: 1, 6: 2, 16: 3, 28: 4, 33: 5, 255: 6, 12: 7 };
const OTHER_TYPE = COUNTED_TYPES.length - 1;
/** Response codes counted by name (rcode number → index); anything else is "other". */
export const COUNTED_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'BADVERS', 'other'];
const RCODE_INDEX: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 16: 6 };
const OTHER_RCODE = COUNTED_RCODES.length - 1;

/** Upper bounds in seconds: the handling time is in microseconds, the tail in milliseconds. */
export const LATENCY_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.1];

export interface DnsStatsSnapshot {
  /** Row-major [type][rcode]. */
  queries: number[];
  latencyBuckets: number[];
  latencySum: number;
  latencyCount: number;
  cacheHits: number;
  cacheMisses: number;
  truncated: number;
  dropped: number;
  zoneNames: number;
  zoneServices: number;
}

export class DnsStats {
  readonly queries = new Float64Array(COUNTED_TYPES.length * COUNTED_RCODES.length);
  readonly latencyBuckets = new Float64Array(LATENCY_BUCKETS.length);
  latencySum = 0;
  latencyCount = 0;
  cacheHits = 0;
  cacheMisses = 0;
  truncated = 0;
  dropped = 0;

  countQuery(qtype: number, rcode: number): void {
    const t = TYPE_NUMBERS[qtype] ?? OTHER_TYPE;
    const r = RCODE_INDEX[rcode] ?? OTHER_RCODE;
    this.queries[t * COUNTED_RCODES.length + r] = (this.queries[t * COUNTED_RCODES.length + r] ?? 0) + 1;
  }

  observeLatency(seconds: number): void {
    this.latencySum += seconds;
    this.latencyCount++;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= (LATENCY_BUCKETS[i] ?? 0)) {
        this.latencyBuckets[i] = (this.latencyBuckets[i] ?? 0) + 1;
        return;
      }
    }
  }

  snapshot(zoneNames: number, zoneServices: number): DnsStatsSnapshot {
    return {
      queries: Array.from(this.queries),
      latencyBuckets: Array.from(this.latencyBuckets),
      latencySum: this.latencySum,
      latencyCount: this.latencyCount,
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      truncated: this.truncated,
      dropped: this.dropped,
      zoneNames,
      zoneServices,
    };
  }
}

/** Sum of several workers' snapshots; the zone gauges are equal in every worker, so take the largest. */
export function sumSnapshots(list: DnsStatsSnapshot[]): DnsStatsSnapshot {
  const add = (a: number[], b: number[]) => a.map((v, i) => v + (b[i] ?? 0));
  const empty: DnsStatsSnapshot = {
    queries: new Array<number>(COUNTED_TYPES.length * COUNTED_RCODES.length).fill(0),
    latencyBuckets: new Array<number>(LATENCY_BUCKETS.length).fill(0),
    latencySum: 0,
    latencyCount: 0,
    cacheHits: 0,
    cacheMisses: 0,
    truncated: 0,
    dropped: 0,
    zoneNames: 0,
    zoneServices: 0,
  };
  return list.reduce(
    (acc, s) => ({
      queries: add(acc.queries, s.queries),
      latencyBuckets: add(acc.latencyBuckets, s.latencyBuckets),
      latencySum: acc.latencySum + s.latencySum,
      latencyCount: acc.latencyCount + s.latencyCount,
      cacheHits: acc.cacheHits + s.cacheHits,
      cacheMisses: acc.cacheMisses + s.cacheMisses,
      truncated: acc.truncated + s.truncated,
      dropped: acc.dropped + s.dropped,
      zoneNames: Math.max(acc.zoneNames, s.zoneNames),
      zoneServices: Math.max(acc.zoneServices, s.zoneServices),
    }),
    empty,
  );
}
