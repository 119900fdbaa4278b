// The in-memory clusterset.local zone, indexed by owner name and fed one ServiceView at a time. Pure: no I/O.
// An upsert renders that service's names, compares them with what the service had, and touches only the names
// that differ; listeners hear exactly those names (and the parents whose existence flipped) to drop cached answers.
import type { ServiceKey, ServiceView } from '../mcs/types.ts';
import { ancestorsWithin } from './names.ts';
import {
  type NameRecords,
  type ResourceRecord,
  RR_A,
  RR_AAAA,
  RR_NS,
  RR_SOA,
  RR_TXT,
  type RRSet,
  signatureOf,
} from './records.ts';
import { renderServiceRecords } from './service-records.ts';

export interface ZoneOptions {
  /** Zone apex, default clusterset.local. */
  zone?: string;
  /** TTL of every service record, default 5 s (as CoreDNS). */
  ttl?: number;
  /** Addresses of this server for the apex NS glue (ns.dns.<zone>); none means the NS target has no address. */
  nameserverAddresses?: { v4?: Uint8Array[]; v6?: Uint8Array[] };
  /** SOA serial; default the creation time in seconds. There is no zone transfer, so it only has to be plausible. */
  serial?: number;
}

/** The MCS DNS specification's schema version, served at dns-version.<zone> with the spec's 28800 s TTL. */
export const DNS_SCHEMA_VERSION = '1.0.0';
const DNS_VERSION_TTL = 28800;

interface OwnedName {
  records: NameRecords;
  signature: string;
}

export type ZoneChangeListener = (changedNames: readonly string[]) => void;

export class ZoneIndex {
  readonly apex: string;
  readonly ttl: number;
  readonly soa: ResourceRecord;
  private readonly names = new Map<string, NameRecords>();
  /** Number of owned names strictly below each name: > 0 makes an empty non-terminal (NODATA, not NXDOMAIN). */
  private readonly descendants = new Map<string, number>();
  private readonly byService = new Map<ServiceKey, Map<string, OwnedName>>();
  private readonly listeners: ZoneChangeListener[] = [];

  constructor(options: ZoneOptions = {}) {
    this.apex = (options.zone ?? 'clusterset.local').toLowerCase().replace(/\.$/, '');
    this.ttl = options.ttl ?? 5;
    const ns = `ns.dns.${this.apex}`;
    this.soa = {
      name: this.apex,
      ttl: this.ttl,
      data: {
        type: RR_SOA,
        mname: ns,
        rname: `hostmaster.${this.apex}`,
        serial: (options.serial ?? Math.floor(Date.now() / 1000)) >>> 0,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        // RFC 2308: negative answers are cached for min(SOA TTL, minimum); keep them as fresh as positive ones.
        minimum: this.ttl,
      },
    };
    const apexRecords: NameRecords = new Map([
      [RR_SOA, { type: RR_SOA, ttl: this.ttl, records: [this.soa.data] }],
      [RR_NS, { type: RR_NS, ttl: this.ttl, records: [{ type: RR_NS, target: ns }] }],
    ]);
    this.addName(this.apex, apexRecords);
    this.addName(
      `dns-version.${this.apex}`,
      new Map([
        [RR_TXT, { type: RR_TXT, ttl: DNS_VERSION_TTL, records: [{ type: RR_TXT, strings: [DNS_SCHEMA_VERSION] }] }],
      ]),
    );
    const glue: NameRecords = new Map();
    const v4 = options.nameserverAddresses?.v4 ?? [];
    const v6 = options.nameserverAddresses?.v6 ?? [];
    if (v4.length) glue.set(RR_A, { type: RR_A, ttl: this.ttl, records: v4.map((bytes) => ({ type: RR_A, bytes })) });
    if (v6.length) {
      glue.set(RR_AAAA, { type: RR_AAAA, ttl: this.ttl, records: v6.map((bytes) => ({ type: RR_AAAA, bytes })) });
    }
    this.addName(ns, glue);
  }

  onChange(listener: ZoneChangeListener): void {
    this.listeners.push(listener);
  }

  /** Replace one service's names by those rendered from `view`. Returns the names whose answers changed. */
  upsert(view: ServiceView): string[] {
    const rendered = renderServiceRecords(view, this.apex, this.ttl);
    const next = new Map<string, OwnedName>();
    for (const [name, records] of rendered) next.set(name, { records, signature: signatureOf(records) });
    return this.replace(view.key, next);
  }

  /** Drop every name of one service. Returns the names whose answers changed. */
  remove(key: ServiceKey): string[] {
    return this.replace(key, new Map());
  }

  /** Records at `name` (lower-case, no trailing dot), or undefined when the name owns none. */
  lookup(name: string): NameRecords | undefined {
    return this.names.get(name);
  }

  /** Whether the name exists in the DNS sense: it owns records or has names below it (an empty non-terminal). */
  exists(name: string): boolean {
    return this.names.has(name) || (this.descendants.get(name) ?? 0) > 0;
  }

  rrset(name: string, type: number): RRSet | undefined {
    return this.names.get(name)?.get(type);
  }

  get nameCount(): number {
    return this.names.size;
  }

  get serviceCount(): number {
    return this.byService.size;
  }

  /** Every owned name, for a zone-file dump (the benchmark's Knot zone) and for tests. */
  *entries(): IterableIterator<[string, NameRecords]> {
    yield* this.names.entries();
  }

  private replace(key: ServiceKey, next: Map<string, OwnedName>): string[] {
    const previous = this.byService.get(key) ?? new Map<string, OwnedName>();
    const changed: string[] = [];
    for (const name of previous.keys()) {
      if (next.has(name)) continue;
      this.removeName(name);
      changed.push(name, ...this.flippedAncestors(name, -1));
    }
    for (const [name, owned] of next) {
      const before = previous.get(name);
      if (before && before.signature === owned.signature) {
        next.set(name, before);
        continue;
      }
      if (before) this.names.set(name, owned.records);
      else {
        this.addName(name, owned.records);
        changed.push(...this.flippedAncestors(name, +1));
      }
      changed.push(name);
    }
    if (next.size) this.byService.set(key, next);
    else this.byService.delete(key);
    if (changed.length) for (const listener of this.listeners) listener(changed);
    return changed;
  }

  private addName(name: string, records: NameRecords): void {
    this.names.set(name, records);
    for (const parent of ancestorsWithin(name, this.apex)) {
      this.descendants.set(parent, (this.descendants.get(parent) ?? 0) + 1);
    }
  }

  private removeName(name: string): void {
    this.names.delete(name);
    for (const parent of ancestorsWithin(name, this.apex)) {
      const n = (this.descendants.get(parent) ?? 0) - 1;
      if (n > 0) this.descendants.set(parent, n);
      else this.descendants.delete(parent);
    }
  }

  /**
   * Ancestors that just became (delta +1) or stopped being (delta −1) empty non-terminals, after the counts moved.
   * Only these change answer (NXDOMAIN ↔ NODATA); the others keep their cached answers.
   */
  private flippedAncestors(name: string, delta: 1 | -1): string[] {
    const out: string[] = [];
    for (const parent of ancestorsWithin(name, this.apex)) {
      if (this.names.has(parent)) continue;
      const count = this.descendants.get(parent) ?? 0;
      if ((delta === 1 && count === 1) || (delta === -1 && count === 0)) out.push(parent);
    }
    return out;
  }
}
