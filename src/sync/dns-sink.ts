// Feeds the DNS zone from the merged view: one service's change touches that service's names only.
import type { DnsServer } from '../dns/server.ts';
import type { MergeResult } from '../mcs/merge.ts';
import type { ViewSink } from './controller.ts';

export class DnsSink implements ViewSink {
  readonly name = 'dns';
  readonly #dns: DnsServer;

  constructor(dns: DnsServer) {
    this.#dns = dns;
  }

  apply(result: MergeResult, previous: MergeResult | undefined): void {
    if (result.view) this.#dns.upsert(result.view);
    else if (previous?.view) this.#dns.remove(result.key);
  }
}
