// Several worker threads on one port (reusePort): each answers from its own zone copy, fed by the main thread.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsServer, startDnsServer } from '../../src/dns/server.ts';
import { framed, queryPacket, rcodeOf, tcpExchange, udpExchange } from './dns-clients.ts';
import { allViews, web } from './dns-fixtures.ts';

let dns: DnsServer;
const registry = new Registry();

beforeAll(async () => {
  dns = await startDnsServer({ host: '127.0.0.1', port: 0, workers: 2, registry });
  for (const v of allViews) dns.upsert(v);
  await dns.flush();
});
afterAll(async () => {
  await dns?.close();
});

function aOf(answer: Buffer | undefined): string | undefined {
  if (!answer || rcodeOf(answer) !== 0) return undefined;
  return Array.from(answer.subarray(answer.length - 4)).join('.');
}

describe('DNS server with worker threads', () => {
  it('serves UDP and TCP on the same port from every worker', async () => {
    expect(dns.udpPort).toBe(dns.tcpPort);
    // Many source ports, so the kernel's reusePort hash reaches both workers.
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => udpExchange(dns.udpPort, queryPacket('web.prod.svc.clusterset.local', 1))),
    );
    expect(answers.map(aOf)).toEqual(new Array(40).fill('198.18.10.1'));
    const overTcp = await tcpExchange(dns.tcpPort, [framed(queryPacket('web.prod.svc.clusterset.local', 1))], 1);
    expect(aOf(overTcp[0])).toBe('198.18.10.1');
  });

  it('reflects a change in every worker within milliseconds', async () => {
    const started = performance.now();
    dns.upsert({ ...web, ips: ['198.18.10.9'], ipFamilies: ['IPv4'] });
    await dns.flush();
    const elapsed = performance.now() - started;
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => udpExchange(dns.udpPort, queryPacket('web.prod.svc.clusterset.local', 1))),
    );
    expect(answers.map(aOf)).toEqual(new Array(40).fill('198.18.10.9'));
    expect(elapsed).toBeLessThan(1000); // a generous bound: the point is "not seconds", timing is the bench's job
    dns.upsert(web);
    await dns.flush();
  });

  it("sums the workers' metrics", async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/clusterset_dns_queries_total\{type="A",rcode="NOERROR"\} (8[1-9]|9\d|\d{3,})/);
    expect(text).toMatch(/clusterset_dns_zone_services 3/);
  });
});
