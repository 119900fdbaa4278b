// ClusterSetIP allocation: one IP per family per service, the same in every member cluster, stable for the
// import's life. The first choice is a hash of the service key, so independent controllers and restarts agree;
// a collision probes forward and never moves an IP that is already handed out. Existing ServiceImports are
// learned first on start, so a restart keeps every IP.

import { fnv1a64 } from './hash.ts';
import { type Cidr, canonicalIP, cidrContains, cidrSize, formatIP, parseCidr } from './ip.ts';
import type { IPFamily, ServiceKey } from './types.ts';

export class AllocationError extends Error {
  override name = 'AllocationError';
}

export interface ClusterSetIpRanges {
  IPv4?: string;
  IPv6?: string;
}

export class ClusterSetIpAllocator {
  readonly #cidrs = new Map<IPFamily, Cidr>();
  readonly #owner = new Map<string, ServiceKey>();
  readonly #byKey = new Map<ServiceKey, Map<IPFamily, string>>();
  readonly #count = new Map<IPFamily, number>();

  constructor(ranges: ClusterSetIpRanges) {
    for (const family of ['IPv4', 'IPv6'] as const) {
      const text = ranges[family];
      if (text === undefined) continue;
      const cidr = parseCidr(text);
      if (!cidr || cidr.family !== family)
        throw new AllocationError(`clusterSetIPRanges.${family}: "${text}" is not an ${family} CIDR`);
      if (cidr.bits - cidr.prefix < 2)
        throw new AllocationError(`clusterSetIPRanges.${family}: "${text}" is too small`);
      this.#cidrs.set(family, cidr);
    }
  }

  families(): IPFamily[] {
    return [...this.#cidrs.keys()];
  }

  /**
   * Records an IP found on an existing ServiceImport. Returns a reason when it cannot be kept (outside the
   * range, or another service holds it); the caller then allocates afresh for that service.
   */
  learn(key: ServiceKey, ip: string): string | undefined {
    const canonical = canonicalIP(ip);
    if (!canonical) return `"${ip}" is not an IP address`;
    const family: IPFamily = canonical.includes(':') ? 'IPv6' : 'IPv4';
    const cidr = this.#cidrs.get(family);
    if (!cidr || !cidrContains(cidr, canonical)) return `${canonical} is outside the configured ${family} range`;
    const owner = this.#owner.get(canonical);
    if (owner && owner !== key) return `${canonical} is already held by ${owner}`;
    const held = this.#byKey.get(key)?.get(family);
    if (held && held !== canonical) return `${key} already holds ${held} for ${family}`;
    this.#hold(key, family, canonical);
    return undefined;
  }

  /** The IPs of `key` for `families`, in that order, allocating what is missing. */
  ipsFor(key: ServiceKey, families: readonly IPFamily[]): string[] {
    return families.map((family) => this.#byKey.get(key)?.get(family) ?? this.#allocate(key, family));
  }

  /** What `key` holds now, without allocating. */
  held(key: ServiceKey): Map<IPFamily, string> | undefined {
    return this.#byKey.get(key);
  }

  release(key: ServiceKey): void {
    const held = this.#byKey.get(key);
    if (!held) return;
    for (const [family, ip] of held) {
      this.#owner.delete(ip);
      this.#count.set(family, (this.#count.get(family) ?? 1) - 1);
    }
    this.#byKey.delete(key);
  }

  get size(): number {
    return this.#owner.size;
  }

  #hold(key: ServiceKey, family: IPFamily, ip: string): void {
    this.#owner.set(ip, key);
    this.#count.set(family, (this.#count.get(family) ?? 0) + 1);
    let m = this.#byKey.get(key);
    if (!m) {
      m = new Map();
      this.#byKey.set(key, m);
    }
    m.set(family, ip);
  }

  #allocate(key: ServiceKey, family: IPFamily): string {
    const cidr = this.#cidrs.get(family);
    if (!cidr) throw new AllocationError(`no ClusterSetIP range is configured for ${family} (needed by ${key})`);
    const size = cidrSize(cidr);
    // IPv4: leave out the network and broadcast addresses; IPv6: leave out the subnet-router anycast address.
    const first = 1n;
    const usable = family === 'IPv4' ? size - 2n : size - 1n;
    const start = fnv1a64(`${key}|${family}`) % usable;
    // Probing is bounded by the pool's size; the pool is full only when every address is owned.
    if (BigInt(this.#count.get(family) ?? 0) >= usable) {
      throw new AllocationError(`the ${family} ClusterSetIP range is full (${usable} addresses)`);
    }
    for (let i = 0n; i < usable; i++) {
      const ip = formatIP(cidr.base + first + ((start + i) % usable), family);
      if (!this.#owner.has(ip)) {
        this.#hold(key, family, ip);
        return ip;
      }
    }
    throw new AllocationError(`the ${family} ClusterSetIP range is full`);
  }
}
