import { describe, expect, it } from 'vitest';
import { db, idle, view, web } from '../../test/integration/dns-fixtures.ts';
import { endpointIdOf } from './names.ts';
import { RR_A, RR_AAAA, RR_SRV, type SrvData } from './records.ts';
import { ZoneIndex } from './zone.ts';

const base = (svc: string) => `${svc}.prod.svc.clusterset.local`;

function addresses(zone: ZoneIndex, name: string, type: number): string[] {
  return (zone.rrset(name, type)?.records ?? []).map((r) => ('bytes' in r ? Array.from(r.bytes).join('.') : ''));
}

describe('ZoneIndex', () => {
  it('renders a ClusterSetIP service: A/AAAA, SRV per named port, bare SRV deduplicated by port', () => {
    const zone = new ZoneIndex();
    zone.upsert(web);
    expect(addresses(zone, base('web'), RR_A)).toEqual(['198.18.10.1']);
    expect(zone.rrset(base('web'), RR_AAAA)?.records).toHaveLength(1);
    const bare = (zone.rrset(base('web'), RR_SRV)?.records ?? []) as SrvData[];
    expect(bare.map((r) => r.port).sort()).toEqual([53, 80]);
    expect(zone.lookup(`_http._tcp.${base('web')}`)?.get(RR_SRV)?.records).toEqual([
      { type: RR_SRV, priority: 0, weight: 100, port: 80, target: base('web') },
    ]);
    // The unnamed port 9000 has no SRV anywhere.
    expect(
      [...zone.entries()].some(([, r]) =>
        (r.get(RR_SRV)?.records as SrvData[] | undefined)?.some((s) => s.port === 9000),
      ),
    ).toBe(false);
    expect(zone.rrset(base('web'), RR_A)?.ttl).toBe(5);
  });

  it('renders a headless service from ready endpoints only, with per-host names under each cluster', () => {
    const zone = new ZoneIndex({ ttl: 30 });
    zone.upsert(db);
    expect(addresses(zone, base('db'), RR_A)).toEqual(['198.18.1.1', '198.18.1.2', '198.19.1.5']);
    expect(addresses(zone, `db-0.east.${base('db')}`, RR_A)).toEqual(['198.18.1.1']);
    expect(zone.rrset(`db-0.east.${base('db')}`, RR_AAAA)?.records).toHaveLength(1);
    expect(zone.exists(`db-2.east.${base('db')}`)).toBe(false);
    expect(zone.exists(`198-19-1-5.west.${base('db')}`)).toBe(true);
    // <clusterid>.<svc> owns nothing (it only has names below it).
    expect(zone.lookup(`east.${base('db')}`)).toBeUndefined();
    expect(zone.exists(`east.${base('db')}`)).toBe(true);
    expect(zone.rrset(base('db'), RR_A)?.ttl).toBe(30);
  });

  it('publishes no name for a headless service without ready endpoints, nor for a ClusterSetIP without IPs', () => {
    const zone = new ZoneIndex();
    zone.upsert(idle);
    zone.upsert({ ...web, ips: [] });
    expect(zone.exists(base('idle'))).toBe(false);
    expect(zone.exists(base('web'))).toBe(false);
    expect(zone.serviceCount).toBe(0);
  });

  it('touches only the changed names of the changed service', () => {
    const zone = new ZoneIndex();
    const heard: string[][] = [];
    zone.onChange((names) => heard.push([...names]));
    zone.upsert(web);
    zone.upsert(db);
    heard.length = 0;
    expect(zone.upsert(db)).toEqual([]);
    expect(heard).toEqual([]);
    const moved = zone.upsert({ ...web, ips: ['198.18.10.2', '2001:db8::a'] });
    expect(moved).toEqual([base('web')]);
    // A new endpoint adds its own name, the service name and the SRV names; nothing of web.
    const grown = structuredClone(db);
    grown.endpointsBySource.get('west')?.[0]?.endpoints.push({
      addresses: ['198.19.1.6'],
      ready: true,
      serving: true,
      terminating: false,
      hostname: 'db-9',
    });
    const changed = zone.upsert(grown);
    expect(changed.sort()).toEqual([base('db'), `_pg._tcp.${base('db')}`, `db-9.west.${base('db')}`].sort());
    expect(changed.some((n) => n.includes('web'))).toBe(false);
  });

  it('removes a service and the empty non-terminals only it kept alive', () => {
    const zone = new ZoneIndex();
    zone.upsert(web);
    zone.upsert(db);
    const removed = zone.remove(db.key);
    expect(removed).toContain(`east.${base('db')}`);
    expect(removed).toContain(`_tcp.${base('db')}`);
    expect(removed).not.toContain('prod.svc.clusterset.local'); // web keeps the namespace alive
    expect(zone.exists(`east.${base('db')}`)).toBe(false);
    expect(zone.exists('prod.svc.clusterset.local')).toBe(true);
    zone.remove(web.key);
    expect(zone.exists('prod.svc.clusterset.local')).toBe(false);
    expect(zone.exists('svc.clusterset.local')).toBe(false);
    expect(zone.nameCount).toBe(3); // apex, dns-version, ns.dns
  });

  it('skips names that break DNS limits instead of publishing them', () => {
    const zone = new ZoneIndex();
    const long = view({ namespace: 'prod', name: 'x'.repeat(64), type: 'ClusterSetIP', ips: ['198.18.0.1'] });
    zone.upsert(long);
    expect(zone.serviceCount).toBe(0);
  });

  it('names endpoints without a hostname by their dashed address', () => {
    expect(endpointIdOf('198.18.0.7')).toBe('198-18-0-7');
    expect(endpointIdOf('2001:db8::7')).toBe('2001-db8--7');
    expect(endpointIdOf('::1')).toBe('0--1');
  });
});
