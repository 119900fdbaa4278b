// A throwaway network for the node-rules packet tests: a "node" namespace where the agent's rules are applied, a
// "pod" namespace routed through it, and two endpoint namespaces running small TCP+UDP servers that answer with their
// own name. Every address is in 198.18.0.0/15. Everything is created with unique names and deleted in destroy().
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const POD_IP = '198.18.1.2';
export const NODE_IP = '198.18.1.1';
export const EP1_IP = '198.18.2.2';
export const EP2_IP = '198.18.3.2';
export const VIP = '198.19.0.10';

/** Why the packet tests cannot run here, or undefined when they can. */
export function packetTestSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root (ip netns, nft)';
  for (const tool of ['nft', 'ip', 'nsenter']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `needs the ${tool} command (apt-get install nftables iproute2 util-linux)`;
    }
  }
  return undefined;
}

const SERVER = `
import net from 'node:net';
import dgram from 'node:dgram';
const [name, ...ports] = process.argv.slice(2);
let pending = ports.length * 2;
const up = () => { if (--pending === 0) console.log('ready'); };
for (const p of ports.map(Number)) {
  net.createServer((s) => { s.on('error', () => {}); s.end(name + ':' + p); }).listen(p, '0.0.0.0', up);
  const u = dgram.createSocket('udp4');
  u.on('message', (_m, r) => u.send(name + ':' + p, r.port, r.address));
  u.bind(p, '0.0.0.0', up);
}
`;

// Sequential requests, each on a new socket (a new source port, so a new conntrack entry).
const CLIENT = `
import net from 'node:net';
import dgram from 'node:dgram';
const [proto, host, port, count] = process.argv.slice(2);
const tally = {};
const add = (k) => { tally[k] = (tally[k] ?? 0) + 1; };
const tcp = () => new Promise((resolve) => {
  const s = net.connect(Number(port), host);
  let data = '';
  s.setTimeout(2000, () => { s.destroy(); add('TIMEOUT'); resolve(); });
  s.on('data', (d) => { data += d; });
  s.on('end', () => { add(data); resolve(); });
  s.on('error', (e) => { add(e.code ?? 'ERROR'); resolve(); });
});
const udp = () => new Promise((resolve) => {
  const s = dgram.createSocket('udp4');
  let done = false;
  const finish = (k) => { if (done) return; done = true; clearTimeout(t); add(k); s.close(); resolve(); };
  const t = setTimeout(() => finish('TIMEOUT'), 1000);
  s.on('message', (m) => finish(String(m)));
  s.on('error', (e) => finish(e.code ?? 'ERROR'));
  s.connect(Number(port), host, () => { s.send('q'); setTimeout(() => { if (!done) s.send('q'); }, 300); });
});
for (let i = 0; i < Number(count); i++) await (proto === 'udp' ? udp() : tcp());
console.log(JSON.stringify(tally));
`;

export class Topology {
  readonly id: string;
  readonly node: string;
  readonly pod: string;
  readonly ep1: string;
  readonly ep2: string;
  private readonly dir: string;
  private readonly servers: ChildProcess[] = [];

  constructor() {
    this.id = `${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
    this.node = `csn${this.id}`;
    this.pod = `csp${this.id}`;
    this.ep1 = `cse1${this.id}`;
    this.ep2 = `cse2${this.id}`;
    this.dir = mkdtempSync(join(tmpdir(), 'cs-noderules-'));
    writeFileSync(join(this.dir, 'server.mjs'), SERVER);
    writeFileSync(join(this.dir, 'client.mjs'), CLIENT);
  }

  async create(): Promise<void> {
    for (const ns of [this.node, this.pod, this.ep1, this.ep2]) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    this.link(`vp${this.id}`, this.pod, NODE_IP, POD_IP);
    this.link(`v1${this.id}`, this.ep1, '198.18.2.1', EP1_IP);
    this.link(`v2${this.id}`, this.ep2, '198.18.3.1', EP2_IP);
    // The node has a route for the ClusterSetIP range as real nodes do (a default route); DNAT happens before it.
    ip('-n', this.node, 'route', 'add', 'default', 'via', POD_IP);
    execFileSync('ip', ['netns', 'exec', this.node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    // The kernel rate-limits the ICMP errors a reject sends (1/s per peer by default): the tests send faster.
    execFileSync('ip', ['netns', 'exec', this.node, 'sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0']);
    await Promise.all([this.serve(this.ep1, 'ep1'), this.serve(this.ep2, 'ep2')]);
  }

  /** Run `count` requests from the pod namespace (or the node's own host network) and tally the answers. */
  request(from: 'pod' | 'node', proto: 'tcp' | 'udp', port: number, count: number, vip = VIP): Record<string, number> {
    const ns = from === 'pod' ? this.pod : this.node;
    const out = execFileSync(
      'nsenter',
      [
        `--net=/run/netns/${ns}`,
        process.execPath,
        join(this.dir, 'client.mjs'),
        proto,
        vip,
        String(port),
        String(count),
      ],
      { timeout: 60_000 },
    );
    return JSON.parse(out.toString()) as Record<string, number>;
  }

  destroy(): void {
    for (const s of this.servers) s.kill('SIGKILL');
    for (const ns of [this.node, this.pod, this.ep1, this.ep2]) {
      if (existsSync(`/run/netns/${ns}`)) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // keep deleting the others
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private link(nodeSide: string, other: string, nodeAddr: string, otherAddr: string): void {
    ip('-n', this.node, 'link', 'add', nodeSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', other);
    ip('-n', this.node, 'addr', 'add', `${nodeAddr}/24`, 'dev', nodeSide);
    ip('-n', this.node, 'link', 'set', nodeSide, 'up');
    ip('-n', other, 'addr', 'add', `${otherAddr}/24`, 'dev', 'eth0');
    ip('-n', other, 'link', 'set', 'eth0', 'up');
    ip('-n', other, 'route', 'add', 'default', 'via', nodeAddr);
  }

  private serve(ns: string, name: string): Promise<void> {
    const child = spawn(
      'nsenter',
      [`--net=/run/netns/${ns}`, process.execPath, join(this.dir, 'server.mjs'), name, '8080', '9090'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.servers.push(child);
    return new Promise((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`server ${name} exited ${code}`)));
    });
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
