// DNS benchmark: our server against Knot DNS serving the same records (a zone file dumped from our zone), on the
// same machine, with the same dnsperf query file. Each server is pinned to core 0 and dnsperf to core 1; the
// server's busy CPU comes from /proc/<pid>/stat. Prints qps per busy core, p99 latency at half the max load,
// and the ratios to Knot and to a bare Node echo responder (the floor of any Node UDP server here).
//   node_modules/.bin/node bench/dns/run.ts [--seconds 10] [--rounds 2]
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZoneIndex } from '../../src/dns/zone.ts';
import { generateClusterset } from './clusterset.ts';
import { zoneFileOf } from './zone-file.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = Math.min(flag('seconds', 10), 20);
const ROUNDS = flag('rounds', 2);
const PACED_SECONDS = 5;
const SERVER_CORE = '0';
const CLIENT_CORE = '1';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function need(tool: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    console.error(`bench/dns: ${tool} not found: apt-get install ${pkg}`);
    process.exit(2);
  }
}
need('dnsperf', 'dnsperf');
need('knotd', 'knot');
need('taskset', 'util-linux');

const work = mkdtempSync(join(tmpdir(), 'clusterset-dns-bench-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  try {
    rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // knotd may still be writing its timer database as it exits; a leftover temp dir is harmless.
  }
});

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Poll with a SOA query until the server answers (or give up after 15 s). */
async function waitAnswering(port: number): Promise<void> {
  const q = Buffer.from([
    0,
    1,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    10,
    ...Buffer.from('clusterset'),
    5,
    ...Buffer.from('local'),
    0,
    0,
    6,
    0,
    1,
  ]);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const answered = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      const t = setTimeout(() => {
        s.close();
        resolve(false);
      }, 200);
      s.on('message', () => {
        clearTimeout(t);
        s.close();
        resolve(true);
      });
      s.send(q, port, '127.0.0.1');
    });
    if (answered) return;
  }
  throw new Error(`no answer on port ${port}`);
}

function cpuSeconds(pid: number): number {
  // Threads included: /proc/<pid>/stat sums utime and stime over the whole process.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

interface PerfResult {
  qps: number;
  lostPct: number;
  busyCores: number;
  rcodes: string;
  latencies?: number[];
}

function dnsperf(port: number, pid: number, queryFile: string, extra: string[], seconds: number, verbose = false) {
  return new Promise<PerfResult>((resolve, reject) => {
    const before = cpuSeconds(pid);
    const started = process.hrtime.bigint();
    const argv = ['-c', CLIENT_CORE, 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', queryFile];
    argv.push('-l', String(seconds), '-t', '2', ...extra, ...(verbose ? ['-v'] : []));
    // dnsperf writes straight to a file: parsing 40k lines/s here would steal CPU from the server under test.
    const outFile = join(work, 'dnsperf.out');
    const fd = openSync(outFile, 'w');
    const child = spawn('taskset', argv, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('error', reject);
    child.on('close', () => {
      let out = '';
      const latencies: number[] = [];
      for (const line of readFileSync(outFile, 'utf8').split('\n')) {
        // -v lines: "> NOERROR name TYPE 0.000123"
        if (verbose && line.startsWith('> ')) {
          const latency = Number(line.slice(line.lastIndexOf(' ') + 1));
          if (Number.isFinite(latency)) latencies.push(latency);
        } else out += `${line}\n`;
      }
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const busy = (cpuSeconds(pid) - before) / wall;
      const qps = Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
      const lostPct = Number(/Queries lost:\s+\d+ \(([\d.]+)%\)/.exec(out)?.[1] ?? Number.NaN);
      const rcodes = /Response codes:\s+(.*)/.exec(out)?.[1] ?? '';
      if (!Number.isFinite(qps)) return reject(new Error(`dnsperf said:\n${out}`));
      resolve({ qps, lostPct, busyCores: busy, rcodes, latencies: verbose ? latencies : undefined });
    });
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function startKnot(zoneFile: string): Promise<{ port: number; pid: number }> {
  const port = await freePort();
  const conf = join(work, 'knot.conf');
  writeFileSync(
    conf,
    [
      'server:',
      `  rundir: "${work}"`,
      `  listen: 127.0.0.1@${port}`,
      '  udp-workers: 1',
      '  tcp-workers: 1',
      '  background-workers: 1',
      'database:',
      `  storage: "${work}"`,
      'log:',
      '  - target: stderr',
      '    any: warning',
      'zone:',
      '  - domain: clusterset.local',
      `    storage: "${work}"`,
      `    file: "${zoneFile}"`,
      '',
    ].join('\n'),
  );
  const child = spawn('taskset', ['-c', SERVER_CORE, 'knotd', '-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  await waitAnswering(port);
  return { port, pid: child.pid ?? 0 };
}

async function startNodeScript(script: string, extra: string[]): Promise<{ port: number; pid: number }> {
  const port = await freePort();
  const node = process.execPath;
  // The flags the controller image runs with (Dockerfile NODE_OPTIONS): a larger young generation means fewer
  // scavenges on the query path (measured: +15-25% qps per core, a shorter latency tail). Override to compare.
  const flags = (process.env.CLUSTERSET_BENCH_NODE_FLAGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean);
  const argv = ['-c', SERVER_CORE, node, ...flags, join(import.meta.dirname, script), String(port), ...extra];
  const child = spawn('taskset', argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`serve.ts exited ${code}`)));
  });
  await waitAnswering(port);
  return { port, pid: child.pid ?? 0 };
}

// taskset execs the server, so the pid we hold is the server's own.
const { views, queries } = generateClusterset();
const zone = new ZoneIndex({ serial: 2026112701 });
for (const v of views) zone.upsert(v);
const zoneFile = join(work, 'clusterset.local.zone');
writeFileSync(zoneFile, zoneFileOf(zone));
const queryFile = join(work, 'queries.txt');
writeFileSync(queryFile, `${queries.join('\n')}\n`);
console.log(
  `clusterset: ${views.length} services (${views.filter((v) => v.type === 'Headless').length} headless), ` +
    `${zone.nameCount} names; ${queries.length} queries (40% A, 10% AAAA, 15% SRV, 20% headless, 15% NXDOMAIN)`,
);
console.log(`server on core ${SERVER_CORE}, dnsperf on core ${CLIENT_CORE}; ${ROUNDS} rounds of ${SECONDS} s each\n`);

const knot = await startKnot(zoneFile);
const ours = await startNodeScript('serve.ts', ['1']);
const floor = await startNodeScript('node-floor.ts', []);
const servers = [
  { name: 'knot', ...knot },
  { name: 'clusterset', ...ours },
  { name: 'node-floor', ...floor },
];
const best = new Map<string, PerfResult>();
const saturate = ['-c', '20', '-T', '1', '-q', '500'];
for (let round = 1; round <= ROUNDS; round++) {
  for (const s of servers) {
    const r = await dnsperf(s.port, s.pid, queryFile, saturate, SECONDS);
    const perCore = r.qps / Math.max(r.busyCores, 0.01);
    console.log(
      `round ${round} ${s.name.padEnd(10)} ${r.qps.toFixed(0).padStart(7)} qps  busy ${r.busyCores.toFixed(2)} core  ` +
        `${perCore.toFixed(0).padStart(7)} qps/busy-core  lost ${r.lostPct}%  [${r.rcodes}]`,
    );
    const prev = best.get(s.name);
    if (!prev || perCore > prev.qps / Math.max(prev.busyCores, 0.01)) best.set(s.name, r);
  }
}
console.log('');
const p99 = new Map<string, { p50: number; p99: number; offered: number; lost: number }>();
for (const s of servers.filter((x) => x.name !== 'node-floor')) {
  const max = best.get(s.name)?.qps ?? 0;
  const offered = Math.floor(max / 2);
  const r = await dnsperf(
    s.port,
    s.pid,
    queryFile,
    ['-c', '10', '-T', '1', '-q', '200', '-Q', String(offered)],
    PACED_SECONDS,
    true,
  );
  const lat = r.latencies ?? [];
  p99.set(s.name, { p50: percentile(lat, 50), p99: percentile(lat, 99), offered, lost: r.lostPct });
  console.log(
    `half load ${s.name.padEnd(10)} offered ${offered} qps: p50 ${(percentile(lat, 50) * 1000).toFixed(3)} ms  ` +
      `p99 ${(percentile(lat, 99) * 1000).toFixed(3)} ms  (${lat.length} samples, lost ${r.lostPct}%)`,
  );
}
const k = best.get('knot');
const o = best.get('clusterset');
if (k && o) {
  const kPerCore = k.qps / Math.max(k.busyCores, 0.01);
  const oPerCore = o.qps / Math.max(o.busyCores, 0.01);
  console.log('\nsummary (best round)');
  console.log(
    `  knot        ${kPerCore.toFixed(0)} qps per busy core (${k.qps.toFixed(0)} qps at ${k.busyCores.toFixed(2)} core)`,
  );
  console.log(
    `  clusterset  ${oPerCore.toFixed(0)} qps per busy core (${o.qps.toFixed(0)} qps at ${o.busyCores.toFixed(2)} core)`,
  );
  console.log(`  ratio clusterset/knot per busy core: ${(oPerCore / kPerCore).toFixed(2)}x (target >= 0.45x)`);
  console.log(`  ratio clusterset/knot raw qps:       ${(o.qps / k.qps).toFixed(2)}x`);
  console.log(
    `  clusterset p99 at half load: ${((p99.get('clusterset')?.p99 ?? Number.NaN) * 1000).toFixed(3)} ms (target <= 1 ms); knot ${((p99.get('knot')?.p99 ?? Number.NaN) * 1000).toFixed(3)} ms`,
  );
  console.log(
    `  clusterset per busy core vs CoreDNS published ~17-25k qps/core: ${(oPerCore / 25_000).toFixed(1)}-${(oPerCore / 17_000).toFixed(1)}x`,
  );
}
process.exit(0);
