// Bad input against the running server: random bytes, truncated packets, compression loops, bad OPT records,
// unsupported opcodes and types. The server must answer FORMERR / NOTIMP where it can, never crash, never stall.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsServer, startDnsServer } from '../../src/dns/server.ts';
import { framed, queryPacket, rcodeOf, tcpExchange, udpExchange } from './dns-clients.ts';
import { allViews } from './dns-fixtures.ts';

const NAME = 'web.prod.svc.clusterset.local';
let dns: DnsServer;

beforeAll(async () => {
  dns = await startDnsServer({ host: '127.0.0.1', port: 0 });
  for (const v of allViews) dns.upsert(v);
});
afterAll(async () => {
  await dns?.close();
});

async function stillAnswers(): Promise<void> {
  const answer = await udpExchange(dns.udpPort, queryPacket(NAME, 1));
  expect(answer && rcodeOf(answer)).toBe(0);
  const overTcp = await tcpExchange(dns.tcpPort, [framed(queryPacket(NAME, 1))], 1);
  expect(overTcp).toHaveLength(1);
}

describe('malformed and unsupported queries', () => {
  it('answers FORMERR to a question name that is a compression loop', async () => {
    const loop = Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    const answer = await udpExchange(dns.udpPort, loop);
    expect(answer && rcodeOf(answer)).toBe(1);
    expect(answer?.readUInt16BE(0)).toBe(0x1234);
    await stillAnswers();
  });

  it('answers FORMERR to a pointer loop in the additional section and to two OPT records', async () => {
    const q = queryPacket(NAME, 1);
    q.writeUInt16BE(1, 10);
    const loopingRecord = Buffer.from([0xc0, q.length, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 198, 18, 0, 1]);
    const a = await udpExchange(dns.udpPort, Buffer.concat([q, loopingRecord.subarray(0, 6)]));
    expect(a && rcodeOf(a)).toBe(1);
    const twoOpts = queryPacket(NAME, 1, { edns: 1232 });
    twoOpts.writeUInt16BE(2, 10);
    const b = await udpExchange(dns.udpPort, Buffer.concat([twoOpts, twoOpts.subarray(twoOpts.length - 11)]));
    expect(b && rcodeOf(b)).toBe(1);
  });

  it('answers FORMERR to truncated questions and to QDCOUNT other than 1', async () => {
    const q = queryPacket(NAME, 1);
    for (const cut of [13, 20, q.length - 3, q.length - 1]) {
      const a = await udpExchange(dns.udpPort, q.subarray(0, cut));
      expect(a && rcodeOf(a)).toBe(1);
    }
    const two = Buffer.from(q);
    two.writeUInt16BE(2, 4);
    expect(rcodeOf((await udpExchange(dns.udpPort, two)) ?? Buffer.alloc(4))).toBe(1);
  });

  it('answers NOTIMP to other opcodes and to zone transfers', async () => {
    const notify = queryPacket(NAME, 6);
    notify[2] = 4 << 3;
    expect(rcodeOf((await udpExchange(dns.udpPort, notify)) ?? Buffer.alloc(4))).toBe(4);
    const [axfr] = await tcpExchange(dns.tcpPort, [framed(queryPacket('clusterset.local', 252))], 1);
    expect(axfr && rcodeOf(axfr)).toBe(4);
  });

  it('answers BADVERS to EDNS version 1', async () => {
    const q = queryPacket(NAME, 1, { edns: 1232 });
    q[q.length - 5] = 1; // OPT TTL bytes: extended rcode, version (1), flags
    const a = await udpExchange(dns.udpPort, q);
    expect(a && rcodeOf(a)).toBe(0);
    expect(a?.[a.length - 6]).toBe(1); // extended rcode 1 → 16 = BADVERS
  });

  it('drops responses and runts without answering (no reflection loops)', async () => {
    const response = queryPacket(NAME, 1);
    response[2] = 0x80;
    expect(await udpExchange(dns.udpPort, response, 300)).toBeUndefined();
    expect(await udpExchange(dns.udpPort, Buffer.from([1, 2, 3]), 300)).toBeUndefined();
  });

  it('survives 5000 random and mutated datagrams and keeps answering', async () => {
    const socket = dgram.createSocket('udp4');
    const good = queryPacket(NAME, 33, { edns: 4096 });
    for (let i = 0; i < 5000; i++) {
      let packet: Buffer;
      if (i % 2 === 0) packet = randomBytes(1 + (i % 600));
      else {
        // Valid header and question with a few random bytes flipped: the interesting near-misses.
        packet = Buffer.from(good);
        for (let j = 0; j < 3; j++) packet[(i * 7 + j * 13) % packet.length] = randomBytes(1)[0] ?? 0;
      }
      socket.send(packet, dns.udpPort, '127.0.0.1');
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 100));
    socket.close();
    await stillAnswers();
  });

  it('over TCP: answers pipelined and split frames in order, and closes on garbage', async () => {
    const q1 = framed(queryPacket(NAME, 1, { id: 1 }));
    const q2 = framed(queryPacket(NAME, 28, { id: 2 }));
    const q3 = framed(queryPacket('nothing.prod.svc.clusterset.local', 1, { id: 3 }));
    const answers = await tcpExchange(dns.tcpPort, [Buffer.concat([q1, q2, q3.subarray(0, 5)]), q3.subarray(5)], 3);
    expect(answers.map((a) => a.readUInt16BE(0))).toEqual([1, 2, 3]);
    expect(answers.map(rcodeOf)).toEqual([0, 0, 3]);
    const garbage = await tcpExchange(dns.tcpPort, [framed(randomBytes(5)), q1], 2, 1000);
    expect(garbage).toHaveLength(0);
    await stillAnswers();
  });
});
