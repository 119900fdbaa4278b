import { describe, expect, it } from 'vitest';
import { AllocationError, ClusterSetIpAllocator } from '../../src/mcs/clustersetip.ts';
import { canonicalIP, formatIP, parseCidr, parseIPv6 } from '../../src/mcs/ip.ts';

describe('ClusterSetIpAllocator', () => {
  it('gives the same service the same IPs in independent allocators (every cluster, every restart)', () => {
    const a = new ClusterSetIpAllocator({ IPv4: '198.19.0.0/16', IPv6: 'fd00:c1a5::/112' });
    const b = new ClusterSetIpAllocator({ IPv4: '198.19.0.0/16', IPv6: 'fd00:c1a5::/112' });
    b.ipsFor('other/svc', ['IPv4']);
    expect(a.ipsFor('demo/hello', ['IPv4', 'IPv6'])).toEqual(b.ipsFor('demo/hello', ['IPv4', 'IPv6']));
  });

  it('never moves an IP already handed out when a later service collides', () => {
    const alloc = new ClusterSetIpAllocator({ IPv4: '198.19.0.0/30' }); // two usable addresses
    const first = alloc.ipsFor('ns/one', ['IPv4'])[0];
    const second = alloc.ipsFor('ns/two', ['IPv4'])[0];
    expect(second).not.toBe(first);
    expect(alloc.ipsFor('ns/one', ['IPv4'])[0]).toBe(first);
    expect(() => alloc.ipsFor('ns/three', ['IPv4'])).toThrow(AllocationError);
    alloc.release('ns/two');
    expect(alloc.ipsFor('ns/three', ['IPv4'])[0]).toBe(second);
  });

  it('uses neither the network nor the broadcast address', () => {
    const alloc = new ClusterSetIpAllocator({ IPv4: '198.19.0.0/30' });
    const ips = [alloc.ipsFor('a/a', ['IPv4'])[0], alloc.ipsFor('b/b', ['IPv4'])[0]].sort();
    expect(ips).toEqual(['198.19.0.1', '198.19.0.2']);
  });

  it('re-learns IPs from existing ServiceImports, and refuses one held by another service or out of range', () => {
    const alloc = new ClusterSetIpAllocator({ IPv4: '198.19.0.0/16' });
    expect(alloc.learn('ns/a', '198.19.7.7')).toBeUndefined();
    expect(alloc.ipsFor('ns/a', ['IPv4'])).toEqual(['198.19.7.7']);
    expect(alloc.learn('ns/b', '198.19.7.7')).toContain('already held by ns/a');
    expect(alloc.learn('ns/c', '198.18.0.1')).toContain('outside');
    expect(alloc.learn('ns/d', 'nonsense')).toContain('not an IP');
  });

  it('spreads services over the range', () => {
    const alloc = new ClusterSetIpAllocator({ IPv4: '198.19.0.0/16' });
    const ips = new Set(Array.from({ length: 500 }, (_, i) => alloc.ipsFor(`ns/s${i}`, ['IPv4'])[0]));
    expect(ips.size).toBe(500);
    expect(alloc.size).toBe(500);
  });

  it('names the bad field when a range is wrong', () => {
    expect(() => new ClusterSetIpAllocator({ IPv4: 'fd00::/64' })).toThrow(/clusterSetIPRanges\.IPv4/);
    expect(() => new ClusterSetIpAllocator({ IPv6: '198.19.0.0/16' })).toThrow(/clusterSetIPRanges\.IPv6/);
  });
});

describe('IP arithmetic', () => {
  it.each([
    ['fd00:0:0::1', 'fd00::1'],
    ['FD00::0001', 'fd00::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::ffff:198.18.0.1', '::ffff:c612:1'],
    ['198.18.0.1', '198.18.0.1'],
  ])('canonical form of %s is %s', (input, out) => {
    expect(canonicalIP(input)).toBe(out);
  });

  it.each(['1.2.3', '256.1.1.1', '01.2.3.4', 'fd00::1::2', 'fd00:1:2:3:4:5:6:7:8', 'g::1', ''])('rejects %s', (bad) => {
    expect(canonicalIP(bad)).toBeUndefined();
  });

  it('parses CIDRs and masks the host bits', () => {
    const c = parseCidr('198.19.5.7/16');
    expect(c && formatIP(c.base, 'IPv4')).toBe('198.19.0.0');
    expect(parseCidr('198.19.0.0/33')).toBeUndefined();
    expect(parseIPv6('fd00::')).toBe(0xfd00n << 112n);
  });
});
