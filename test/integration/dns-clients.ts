// Real DNS clients for the DNS integration tests: `dig` (bind9-dnsutils) with its YAML output, and raw UDP/TCP
// exchanges for the packets no well-behaved client sends.
import { execFile, execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { parse } from 'yaml';

export const digPath = (() => {
  try {
    execFileSync('dig', ['-v'], { stdio: 'ignore' });
    return 'dig';
  } catch {
    return undefined;
  }
})();

export interface DigMessage {
  status: string;
  flags: string[];
  answer: string[][];
  authority: string[][];
  additional: string[][];
  udp: number | undefined;
  protocol: string;
}

interface DigYamlMessage {
  message?: {
    socket_protocol?: string;
    response_message_data?: {
      status?: string;
      flags?: string;
      ANSWER_SECTION?: string[];
      AUTHORITY_SECTION?: string[];
      ADDITIONAL_SECTION?: string[];
      OPT_PSEUDOSECTION?: { EDNS?: { udp?: number } };
    };
  };
}

/** Run dig against 127.0.0.1:port; every response message it prints (one per query, more with +keepopen). */
export function dig(port: number, args: string[]): Promise<DigMessage[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'dig',
      ['@127.0.0.1', '-p', String(port), '+yaml', '+norecurse', '+tries=1', '+time=2', ...args],
      { timeout: 15_000 },
      (err, stdout) => {
        if (err && !stdout) return reject(err);
        const docs = parse(stdout, { schema: 'yaml-1.1' }) as DigYamlMessage[] | null;
        const out: DigMessage[] = [];
        for (const doc of docs ?? []) {
          const data = doc.message?.response_message_data;
          if (!data) continue;
          const rr = (lines: string[] | undefined) => (lines ?? []).map((l) => l.split(/\s+/));
          out.push({
            status: data.status ?? '',
            flags: (data.flags ?? '').split(' ').filter(Boolean),
            answer: rr(data.ANSWER_SECTION),
            authority: rr(data.AUTHORITY_SECTION),
            additional: rr(data.ADDITIONAL_SECTION),
            udp: data.OPT_PSEUDOSECTION?.EDNS?.udp,
            protocol: doc.message?.socket_protocol ?? '',
          });
        }
        resolve(out);
      },
    );
  });
}

export async function digOne(port: number, args: string[]): Promise<DigMessage> {
  const [m] = await dig(port, args);
  if (!m) throw new Error(`dig ${args.join(' ')}: no response`);
  return m;
}

/** The rdata fields of the answer records of one type (after "name ttl IN TYPE"). */
export function rdata(m: DigMessage, type: string): string[] {
  return m.answer.filter((r) => r[3] === type).map((r) => r.slice(4).join(' '));
}

/** Build a query packet by hand. */
export function queryPacket(name: string, qtype: number, options: { id?: number; edns?: number } = {}): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(options.id ?? 0x4242, 0);
  header.writeUInt16BE(1, 4);
  if (options.edns !== undefined) header.writeUInt16BE(1, 10);
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l, 'latin1')]);
  const tail = Buffer.from([0, qtype >> 8, qtype & 0xff, 0, 1]);
  const opt =
    options.edns === undefined
      ? []
      : [Buffer.from([0, 0, 41, options.edns >> 8, options.edns & 0xff, 0, 0, 0, 0, 0, 0])];
  return Buffer.concat([header, ...labels, tail, ...opt]);
}

/** Send one datagram and wait for one answer, or undefined after `waitMs`. */
export function udpExchange(port: number, packet: Buffer, waitMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, waitMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(packet, port, '127.0.0.1');
  });
}

/** Write raw bytes on one TCP connection and collect the framed answers until `count` arrive or the peer closes. */
export function tcpExchange(port: number, writes: Buffer[], count: number, waitMs = 2000): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const answers: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const socket = net.connect(port, '127.0.0.1');
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answers);
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('connect', async () => {
      for (const w of writes) {
        socket.write(w);
        // Separate TCP segments, so the server sees partial frames.
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        answers.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (answers.length >= count) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

export function framed(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

export function rcodeOf(msg: Buffer): number {
  return (msg[3] ?? 0) & 0x0f;
}
