import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { allViews, big, web } from '../../test/integration/dns-fixtures.ts';
import { answerQuery } from './answer.ts';
import { ipv6Bytes } from './ip-bytes.ts';
import { DnsResponder } from './responder.ts';
import { ZoneIndex } from './zone.ts';

function query(name: string, qtype: number, edns?: number): Buffer {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]);
  const opt = edns === undefined ? [] : [0, 0, 41, edns >> 8, edns & 0xff, 0, 0, 0, 0, 0, 0];
  return Buffer.from([
    0xab,
    0xcd,
    1,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    edns === undefined ? 0 : 1,
    ...labels,
    0,
    0,
    qtype,
    0,
    1,
    ...opt,
  ]);
}

interface Parsed {
  id: number;
  rcode: number;
  aa: boolean;
  tc: boolean;
  counts: number[];
  answers: { name: string; type: number; rdata: Buffer }[];
}

/** A small response reader for assertions: follows pointers (bounded), returns each record of every section. */
function parse(msg: Buffer): Parsed {
  const name = (at: number): [string, number] => {
    const labels: string[] = [];
    let end = -1;
    for (let hops = 0; hops < 20; hops++) {
      const len = msg[at] ?? 0;
      if (len === 0) return [labels.join('.'), end < 0 ? at + 1 : end];
      if (len >= 0xc0) {
        if (end < 0) end = at + 2;
        at = msg.readUInt16BE(at) & 0x3fff;
        continue;
      }
      labels.push(msg.toString('latin1', at + 1, at + 1 + len));
      at += len + 1;
    }
    throw new Error('pointer loop in our own response');
  };
  const counts = [4, 6, 8, 10].map((o) => msg.readUInt16BE(o));
  let at = 12;
  for (let i = 0; i < (counts[0] ?? 0); i++) at = name(at)[1] + 4;
  const answers: Parsed['answers'] = [];
  const total = (counts[1] ?? 0) + (counts[2] ?? 0) + (counts[3] ?? 0);
  for (let i = 0; i < total; i++) {
    const [owner, next] = name(at);
    const type = msg.readUInt16BE(next);
    const rdlength = msg.readUInt16BE(next + 8);
    answers.push({ name: owner, type, rdata: msg.subarray(next + 10, next + 10 + rdlength) });
    at = next + 10 + rdlength;
  }
  expect(at).toBe(msg.length);
  return {
    id: msg.readUInt16BE(0),
    rcode: (msg[3] ?? 0) & 0x0f,
    aa: ((msg[2] ?? 0) & 0x04) !== 0,
    tc: ((msg[2] ?? 0) & 0x02) !== 0,
    counts,
    answers,
  };
}

function zoneWithAll(): ZoneIndex {
  const zone = new ZoneIndex();
  for (const v of allViews) zone.upsert(v);
  return zone;
}

describe('answerQuery (the pure handler)', () => {
  const zone = zoneWithAll();

  it('answers with the id and the case of the query, compressing owner names into the question', () => {
    const r = answerQuery(query('WEB.prod.svc.clusterset.local', 1), zone);
    const p = parse(r ?? Buffer.alloc(0));
    expect(p.id).toBe(0xabcd);
    expect(p.aa).toBe(true);
    expect(p.answers[0]?.name).toBe('WEB.prod.svc.clusterset.local');
    expect(Array.from(p.answers[0]?.rdata ?? [])).toEqual([198, 18, 10, 1]);
    // The owner is a 2-byte pointer: header 12 + question (31 + 4) + pointer 2 + 10 + 4.
    expect(r?.length).toBe(12 + 35 + 16);
  });

  it('encodes AAAA, SRV (target uncompressed), TXT', () => {
    const aaaa = parse(answerQuery(query('web.prod.svc.clusterset.local', 28), zone) ?? Buffer.alloc(0));
    expect(aaaa.answers[0]?.rdata).toEqual(Buffer.from(ipv6Bytes('2001:db8::a') ?? []));
    const srv = parse(answerQuery(query('_http._tcp.web.prod.svc.clusterset.local', 33), zone) ?? Buffer.alloc(0));
    const rdata = srv.answers[0]?.rdata ?? Buffer.alloc(0);
    expect(rdata.readUInt16BE(4)).toBe(80);
    expect(rdata.length).toBe(6 + 31); // RFC 2782: the target is written in full
    const txt = parse(answerQuery(query('dns-version.clusterset.local', 16), zone) ?? Buffer.alloc(0));
    expect(txt.answers[0]?.rdata.toString('latin1')).toBe('\u00051.0.0');
  });

  it('gives NXDOMAIN and NODATA with the SOA in authority, REFUSED outside the zone', () => {
    const nx = parse(answerQuery(query('nope.prod.svc.clusterset.local', 1), zone) ?? Buffer.alloc(0));
    expect([nx.rcode, nx.counts]).toEqual([3, [1, 0, 1, 0]]);
    expect(nx.answers[0]?.type).toBe(6);
    const nodata = parse(answerQuery(query('web.prod.svc.clusterset.local', 16), zone) ?? Buffer.alloc(0));
    expect([nodata.rcode, nodata.counts]).toEqual([0, [1, 0, 1, 0]]);
    const refused = parse(answerQuery(query('example.org', 1), zone) ?? Buffer.alloc(0));
    expect([refused.rcode, refused.aa]).toEqual([5, false]);
  });

  it('truncates to 512 bytes without EDNS and to the EDNS size with it, never beyond 65535 on TCP', () => {
    const plain = answerQuery(query('big.batch.svc.clusterset.local', 1), zone) ?? Buffer.alloc(0);
    expect(parse(plain).tc).toBe(true);
    expect(plain.length).toBeLessThanOrEqual(512);
    const edns = answerQuery(query('big.batch.svc.clusterset.local', 1, 4096), zone) ?? Buffer.alloc(0);
    expect(parse(edns).tc).toBe(true); // 1.9 kB does not fit our 1232-byte cap
    const tcp = answerQuery(query('big.batch.svc.clusterset.local', 1), zone, true) ?? Buffer.alloc(0);
    expect(parse(tcp).answers).toHaveLength(120);
    expect(big.name).toBe('big');
  });

  it('never throws on random bytes, truncations or mutations of a good query', () => {
    const good = query('_pg._tcp.db.prod.svc.clusterset.local', 33, 1232);
    for (let i = 0; i < 20_000; i++) {
      let msg: Buffer;
      if (i % 3 === 0) msg = randomBytes(i % 300);
      else if (i % 3 === 1) msg = good.subarray(0, i % good.length);
      else {
        msg = Buffer.from(good);
        msg[i % msg.length] = i & 0xff;
        msg[(i * 31) % msg.length] = (i >> 8) & 0xff;
      }
      const out = answerQuery(msg, zone);
      if (out) expect(out.length).toBeGreaterThanOrEqual(12);
    }
  });
});

describe('DnsResponder (cache)', () => {
  it('serves the same bytes as the uncached handler, from the cache on the second query', () => {
    const zone = zoneWithAll();
    const responder = new DnsResponder(zone);
    for (const [name, type] of [
      ['Web.Prod.svc.clusterset.local', 1],
      ['_pg._tcp.db.prod.svc.clusterset.local', 33],
      ['nope.prod.svc.clusterset.local', 1],
    ] as const) {
      const q = query(name, type, 1232);
      expect(responder.respond(q, false)).toEqual(answerQuery(q, zone));
      expect(responder.respond(q, false)).toEqual(answerQuery(q, zone));
    }
    expect(responder.stats.cacheHits).toBe(3);
    expect(responder.stats.cacheMisses).toBe(3);
  });

  it('drops a cached answer when its name changes, and a cached NXDOMAIN when the name appears', () => {
    const zone = new ZoneIndex();
    const responder = new DnsResponder(zone);
    const q = query('web.prod.svc.clusterset.local', 1);
    expect(parse(responder.respond(q, false) as Buffer).rcode).toBe(3);
    zone.upsert(web);
    expect(Array.from(parse(responder.respond(q, false) as Buffer).answers[0]?.rdata ?? [])).toEqual([198, 18, 10, 1]);
    zone.upsert({ ...web, ips: ['198.18.10.7'] });
    expect(Array.from(parse(responder.respond(q, false) as Buffer).answers[0]?.rdata ?? [])).toEqual([198, 18, 10, 7]);
    // The namespace was NXDOMAIN before web existed; it must now be NODATA.
    zone.remove(web.key);
    const ns = query('prod.svc.clusterset.local', 1);
    expect(parse(responder.respond(ns, false) as Buffer).rcode).toBe(3);
    zone.upsert(web);
    expect(parse(responder.respond(ns, false) as Buffer).rcode).toBe(0);
  });
});
