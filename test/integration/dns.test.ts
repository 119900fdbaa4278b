// The clusterset.local DNS server against real clients: dig (bind9-dnsutils) and Node's dns.promises.Resolver
// (c-ares), over UDP and TCP, on a free loopback port. The ServiceViews are plain data (dns-fixtures.ts).
import { Resolver } from 'node:dns/promises';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsServer, startDnsServer } from '../../src/dns/server.ts';
import { dig, digOne, digPath, queryPacket, rcodeOf, rdata, udpExchange } from './dns-clients.ts';
import { allViews, big, db, view, web } from './dns-fixtures.ts';

const Z = 'svc.clusterset.local';
let dns: DnsServer;
const registry = new Registry();

beforeAll(async () => {
  dns = await startDnsServer({ host: '127.0.0.1', port: 0, registry });
  for (const v of allViews) dns.upsert(v);
});
afterAll(async () => {
  await dns?.close();
});

function resolver(): Resolver {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${dns.udpPort}`]);
  return r;
}

const digTitle = digPath ? 'dig' : 'dig — SKIPPED: dig not found on PATH (apt-get install bind9-dnsutils)';
describe.skipIf(!digPath)(digTitle, () => {
  for (const transport of ['+notcp', '+tcp']) {
    describe(`over ${transport === '+tcp' ? 'TCP' : 'UDP'}`, () => {
      const q = (...args: string[]) => digOne(dns.udpPort, [transport, ...args]);

      it('answers A and AAAA of a ClusterSetIP service with its ClusterSetIPs, authoritatively', async () => {
        const a = await q(`web.prod.${Z}`, 'A');
        expect(a.status).toBe('NOERROR');
        expect(a.flags).toContain('aa');
        expect(a.flags).not.toContain('ra');
        expect(rdata(a, 'A')).toEqual(['198.18.10.1']);
        expect(a.answer[0]?.[1]).toBe('5');
        expect(rdata(await q(`web.prod.${Z}`, 'AAAA'), 'AAAA')).toEqual(['2001:db8::a']);
      });

      it('answers in the case of the query', async () => {
        const a = await q(`WeB.pRoD.Svc.ClusterSet.LOCAL`, 'A');
        expect(a.answer[0]?.[0]).toBe('WeB.pRoD.Svc.ClusterSet.LOCAL.');
        expect(rdata(a, 'A')).toEqual(['198.18.10.1']);
      });

      it('answers SRV per named port and the bare name deduplicated by port, with glue', async () => {
        const http = await q(`_http._tcp.web.prod.${Z}`, 'SRV');
        expect(rdata(http, 'SRV')).toEqual([`0 100 80 web.prod.${Z}.`]);
        expect(http.additional.map((r) => r[4])).toEqual(['198.18.10.1', '2001:db8::a']);
        expect(rdata(await q(`_dns._udp.web.prod.${Z}`, 'SRV'), 'SRV')).toEqual([`0 100 53 web.prod.${Z}.`]);
        // dns/UDP and dns-tcp/TCP share port 53: one record; the unnamed port 9000 has no SRV.
        const bare = await q(`web.prod.${Z}`, 'SRV');
        expect(rdata(bare, 'SRV').sort()).toEqual([`0 100 53 web.prod.${Z}.`, `0 100 80 web.prod.${Z}.`]);
      });

      it('answers a headless service with every ready endpoint address, per family', async () => {
        expect(rdata(await q(`db.prod.${Z}`, 'A'), 'A').sort()).toEqual(['198.18.1.1', '198.18.1.2', '198.19.1.5']);
        expect(rdata(await q(`db.prod.${Z}`, 'AAAA'), 'AAAA')).toEqual(['2001:db8::1:1']);
      });

      it('answers <hostname>.<clusterid> names, with the dashed address when there is no hostname', async () => {
        expect(rdata(await q(`db-0.east.db.prod.${Z}`, 'A'), 'A')).toEqual(['198.18.1.1']);
        expect(rdata(await q(`db-0.east.db.prod.${Z}`, 'AAAA'), 'AAAA')).toEqual(['2001:db8::1:1']);
        expect(rdata(await q(`198-19-1-5.west.db.prod.${Z}`, 'A'), 'A')).toEqual(['198.19.1.5']);
        // db-2 is not ready; db-0 is not in west.
        expect((await q(`db-2.east.db.prod.${Z}`, 'A')).status).toBe('NXDOMAIN');
        expect((await q(`db-0.west.db.prod.${Z}`, 'A')).status).toBe('NXDOMAIN');
      });

      it('answers headless SRV: one record per ready endpoint and named port, targeting its name', async () => {
        const srv = await q(`_pg._tcp.db.prod.${Z}`, 'SRV');
        expect(rdata(srv, 'SRV').sort()).toEqual([
          `0 100 5432 198-19-1-5.west.db.prod.${Z}.`,
          `0 100 5432 db-0.east.db.prod.${Z}.`,
          `0 100 5432 db-1.east.db.prod.${Z}.`,
        ]);
        expect(rdata(await q(`db.prod.${Z}`, 'SRV'), 'SRV')).toHaveLength(3);
      });

      it('gives no records at <clusterid>.<svc>: NODATA with the SOA, never an address', async () => {
        const m = await q(`east.db.prod.${Z}`, 'A');
        expect(m.status).toBe('NOERROR');
        expect(m.answer).toEqual([]);
        expect(m.authority[0]?.[3]).toBe('SOA');
      });

      it('tells NXDOMAIN from NODATA, with the SOA in authority for both', async () => {
        const nx = await q(`nothing.prod.${Z}`, 'A');
        expect(nx.status).toBe('NXDOMAIN');
        expect(nx.flags).toContain('aa');
        expect(nx.authority[0]?.slice(0, 4)).toEqual(['clusterset.local.', '5', 'IN', 'SOA']);
        const nodata = await q(`web.prod.${Z}`, 'TXT');
        expect(nodata.status).toBe('NOERROR');
        expect(nodata.answer).toEqual([]);
        expect(nodata.authority[0]?.[3]).toBe('SOA');
        // A namespace is an empty non-terminal: it exists, with no records.
        expect((await q(`prod.${Z}`, 'A')).status).toBe('NOERROR');
      });

      it('answers NXDOMAIN for a headless service without ready endpoints', async () => {
        const m = await q(`idle.prod.${Z}`, 'A');
        expect(m.status).toBe('NXDOMAIN');
        expect(m.authority[0]?.[3]).toBe('SOA');
      });

      it('serves dns-version TXT, SOA and NS at the apex', async () => {
        const txt = await q('dns-version.clusterset.local', 'TXT');
        expect(rdata(txt, 'TXT')).toEqual(['"1.0.0"']);
        expect(txt.answer[0]?.[1]).toBe('28800');
        const soa = await q('clusterset.local', 'SOA');
        expect(rdata(soa, 'SOA')[0]).toMatch(/^ns\.dns\.clusterset\.local\. hostmaster\.clusterset\.local\. \d+ /);
        expect(rdata(await q('clusterset.local', 'NS'), 'NS')).toEqual(['ns.dns.clusterset.local.']);
      });

      it('refuses names outside the zone and does not recurse', async () => {
        const m = await q('example.com', 'A');
        expect(m.status).toBe('REFUSED');
        expect(m.flags).not.toContain('aa');
        expect((await q('clusterset.localhost', 'A')).status).toBe('REFUSED');
      });

      it('answers ANY with one small record (RFC 8482), not everything the name owns', async () => {
        const m = await q(`db.prod.${Z}`, 'ANY');
        expect(m.answer).toHaveLength(1);
        expect(m.answer[0]?.[3]).toBe('HINFO');
      });
    });
  }

  it('answers several queries on one TCP connection', async () => {
    const messages = await dig(dns.udpPort, [
      '+tcp',
      '+keepopen',
      `web.prod.${Z}`,
      'A',
      `db.prod.${Z}`,
      'A',
      'dns-version.clusterset.local',
      'TXT',
      `nothing.prod.${Z}`,
      'A',
    ]);
    expect(messages.map((m) => m.status)).toEqual(['NOERROR', 'NOERROR', 'NOERROR', 'NXDOMAIN']);
    expect(messages.every((m) => m.protocol === 'TCP')).toBe(true);
    expect(rdata(messages[1] as (typeof messages)[number], 'A')).toHaveLength(3);
  });

  it('sets TC when the answer does not fit the UDP payload, and the full answer comes over TCP', async () => {
    const noEdns = await digOne(dns.udpPort, ['+noedns', '+ignore', `big.batch.${Z}`, 'A']);
    expect(noEdns.flags).toContain('tc');
    expect(noEdns.answer).toEqual([]);
    const edns = await digOne(dns.udpPort, ['+bufsize=1232', '+ignore', `big.batch.${Z}`, 'A']);
    expect(edns.flags).toContain('tc');
    expect(edns.udp).toBe(1232);
    const viaTcp = await digOne(dns.udpPort, [`big.batch.${Z}`, 'A']); // dig retries over TCP on TC
    expect(viaTcp.protocol).toBe('TCP');
    expect(rdata(viaTcp, 'A')).toHaveLength(120);
  });

  it('honours the client EDNS payload size: a 700-byte answer fits 1232 but not 512', async () => {
    const many = view({
      namespace: 'batch',
      name: 'mid',
      type: 'Headless',
      endpointsBySource: new Map([
        [
          'east',
          [
            {
              addressType: 'IPv4',
              ports: [],
              endpoints: Array.from({ length: 40 }, (_, i) => ({
                addresses: [`198.18.4.${i + 1}`],
                ready: true,
                serving: true,
                terminating: false,
              })),
            },
          ],
        ],
      ]),
    });
    dns.upsert(many);
    const fits = await digOne(dns.udpPort, ['+bufsize=1232', '+ignore', `mid.batch.${Z}`, 'A']);
    expect(fits.flags).not.toContain('tc');
    expect(rdata(fits, 'A')).toHaveLength(40);
    const small = await digOne(dns.udpPort, ['+bufsize=512', '+ignore', `mid.batch.${Z}`, 'A']);
    expect(small.flags).toContain('tc');
    dns.remove(many.key);
  });

  it('reflects a change of a view in the very next answer', async () => {
    dns.upsert({ ...web, ips: ['198.18.10.2', '2001:db8::a'] });
    expect(rdata(await digOne(dns.udpPort, [`web.prod.${Z}`, 'A']), 'A')).toEqual(['198.18.10.2']);
    dns.remove(db.key);
    expect((await digOne(dns.udpPort, [`db.prod.${Z}`, 'A'])).status).toBe('NXDOMAIN');
    expect((await digOne(dns.udpPort, [`db-0.east.db.prod.${Z}`, 'A'])).status).toBe('NXDOMAIN');
    dns.upsert(web);
    dns.upsert(db);
    expect(rdata(await digOne(dns.udpPort, [`web.prod.${Z}`, 'A']), 'A')).toEqual(['198.18.10.1']);
    expect(rdata(await digOne(dns.udpPort, [`db-1.east.db.prod.${Z}`, 'A']), 'A')).toEqual(['198.18.1.2']);
  });
});

describe("Node's dns.promises.Resolver", () => {
  it('resolves every record kind', async () => {
    const r = resolver();
    expect(await r.resolve4(`web.prod.${Z}`)).toEqual(['198.18.10.1']);
    expect(await r.resolve6(`web.prod.${Z}`)).toEqual(['2001:db8::a']);
    expect((await r.resolve4(`db.prod.${Z}`)).sort()).toEqual(['198.18.1.1', '198.18.1.2', '198.19.1.5']);
    expect(await r.resolve4(`db-1.east.db.prod.${Z}`)).toEqual(['198.18.1.2']);
    const srv = await r.resolveSrv(`_pg._tcp.db.prod.${Z}`);
    expect(srv.map((s) => `${s.name}:${s.port}`).sort()).toEqual([
      `198-19-1-5.west.db.prod.${Z}:5432`,
      `db-0.east.db.prod.${Z}:5432`,
      `db-1.east.db.prod.${Z}:5432`,
    ]);
    expect(await r.resolveSrv(`_http._tcp.web.prod.${Z}`)).toEqual([
      { name: `web.prod.${Z}`, port: 80, priority: 0, weight: 100, type: 'SRV' },
    ]);
    expect(await r.resolveTxt('dns-version.clusterset.local')).toEqual([['1.0.0']]);
    expect(await r.resolveNs('clusterset.local')).toEqual(['ns.dns.clusterset.local']);
    const soa = await r.resolveSoa('clusterset.local');
    expect(soa).toMatchObject({ nsname: 'ns.dns.clusterset.local', hostmaster: 'hostmaster.clusterset.local' });
    expect(soa.minttl).toBe(5);
  });

  it('reports NXDOMAIN, NODATA and REFUSED as ENOTFOUND, ENODATA and EREFUSED', async () => {
    const r = resolver();
    await expect(r.resolve4(`nothing.prod.${Z}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolve4(`idle.prod.${Z}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolveTxt(`web.prod.${Z}`)).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(r.resolve4('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
  });

  it('gets a truncated answer in full (the resolver retries over TCP)', async () => {
    expect(await resolver().resolve4(big.name + `.batch.${Z}`)).toHaveLength(120);
  });

  it('sees a change at once', async () => {
    const r = resolver();
    dns.upsert({ ...web, ips: ['198.18.10.3'], ipFamilies: ['IPv4'] });
    expect(await r.resolve4(`web.prod.${Z}`)).toEqual(['198.18.10.3']);
    await expect(r.resolve6(`web.prod.${Z}`)).rejects.toMatchObject({ code: 'ENODATA' });
    dns.upsert(web);
    expect(await r.resolve6(`web.prod.${Z}`)).toEqual(['2001:db8::a']);
  });
});

describe('metrics', () => {
  it('counts queries by type and rcode, cache hits, latency and zone size', async () => {
    await udpExchange(dns.udpPort, queryPacket(`web.prod.${Z}`, 1));
    await udpExchange(dns.udpPort, queryPacket(`web.prod.${Z}`, 1));
    await udpExchange(dns.udpPort, queryPacket(`gone.prod.${Z}`, 1));
    const text = await registry.metrics();
    expect(text).toMatch(/clusterset_dns_queries_total\{type="A",rcode="NOERROR"\} [1-9]/);
    expect(text).toMatch(/clusterset_dns_queries_total\{type="A",rcode="NXDOMAIN"\} [1-9]/);
    expect(text).toMatch(/clusterset_dns_cache_hits_total [1-9]/);
    expect(text).toMatch(/clusterset_dns_request_duration_seconds_count [1-9]/);
    expect(text).toMatch(/clusterset_dns_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]/);
    expect(text).toMatch(/clusterset_dns_zone_names \d+/);
    // idle has no ready endpoint, so no name: three services are in the zone.
    expect(text).toMatch(/clusterset_dns_zone_services 3/);
    expect(rcodeOf((await udpExchange(dns.udpPort, queryPacket(`web.prod.${Z}`, 1))) ?? Buffer.alloc(4))).toBe(0);
  });
});
