// `clusterset run` on a folder of manifests: the ops server, the merged view, and live file changes
// (edits, new and deleted files, a file that stops parsing).

import { execFile, spawnSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, run } from '../../src/cli/run.ts';
import { loadConfig, parseArgs } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';

const execFileAsync = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'clusterset-run-'));
let running: Running;

interface DebugService {
  key: string;
  imported: boolean;
  type?: string;
  ips?: string[];
  importers?: string[];
  endpointsBySource?: Record<string, { endpoints: { addresses: string[] }[] }[]>;
  exporters: { cluster: string; conditions: { type: string; status: string; reason: string }[] }[];
}

async function debug(): Promise<{
  clusters: { name: string; clusterId: string; problems: { where: string }[] }[];
  services: DebugService[];
}> {
  const res = await fetch(`${running.httpUrl}/debug/clusterset`);
  return (await res.json()) as never;
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

beforeAll(async () => {
  cpSync(join(ROOT, 'examples/clusterset'), dir, { recursive: true });
  const config = loadConfig(
    'run',
    parseArgs('run', ['--clusters', dir, '--http-address', '127.0.0.1:0', '--dns-address', '127.0.0.1:0']),
    {},
  );
  running = await run(config, silentLogger);
  await running.controller.settled();
});
afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('clusterset run on manifests', () => {
  it('serves /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${running.httpUrl}/healthz`)).status).toBe(200);
    await eventually(
      async () => (await fetch(`${running.httpUrl}/readyz`)).status,
      (s) => s === 200,
      '/readyz 200',
    );
    const metrics = await (await fetch(`${running.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/clusterset_source_synced\{cluster="east"\} 1/);
    expect(metrics).toMatch(/clusterset_service_imports 3/);
    expect(metrics).toMatch(/clusterset_service_conflicts 1/);
    expect(metrics).toContain('clusterset_reconcile_duration_seconds_bucket');
    expect(metrics).toContain('clusterset_queue_depth');
  });

  it('shows the merged example in /debug/clusterset', async () => {
    const d = await debug();
    expect(d.clusters.map((c) => c.clusterId)).toEqual(['east', 'south', 'west.eu']);
    const byKey = new Map(d.services.map((s) => [s.key, s]));
    expect(byKey.get('shop/cart')).toMatchObject({
      imported: true,
      type: 'ClusterSetIP',
      importers: ['east', 'south', 'west.eu'],
    });
    expect(byKey.get('db/cassandra')).toMatchObject({
      imported: true,
      type: 'Headless',
      importers: ['east', 'west.eu'],
    });
    expect(byKey.get('shop/legacy')?.imported).toBe(false);
    expect(byKey.get('shop/ghost')?.exporters[0]?.conditions[0]).toMatchObject({
      type: 'Valid',
      status: 'False',
      reason: 'NoService',
    });
    const one = (await (await fetch(`${running.httpUrl}/debug/clusterset/shop/checkout`)).json()) as DebugService;
    expect(one.exporters[0]?.conditions[2]).toMatchObject({ type: 'Conflict', status: 'True', reason: 'PortConflict' });
    expect((await fetch(`${running.httpUrl}/debug/clusterset/shop/nothing`)).status).toBe(404);
  });

  it('shows the rules a node would get for a service, by its zone', async () => {
    const url = `${running.httpUrl}/debug/noderules/shop/cart?node=n1&zone=eu-east-1a`;
    const body = (await (await fetch(url)).json()) as { node: { zone: string }; nft: string[] };
    expect(body.node.zone).toBe('eu-east-1a');
    const cart = (await debug()).services.find((s) => s.key === 'shop/cart');
    // sessionAffinity ClientIP, no PreferClose: every ready endpoint of both clusters, as nft elements for the VIP.
    expect(body.nft.some((line) => line.includes(cart?.ips?.[0] ?? '?') && line.includes('198.18.20.1'))).toBe(true);
    expect(body.nft.some((line) => line.includes('198.19.20.1'))).toBe(true);
    expect(body.nft.some((line) => line.includes('198.18.20.3'))).toBe(false); // not ready
  });

  it('follows an edited file, a new file and a deleted file', async () => {
    writeFileSync(
      join(dir, 'south', 'ghost-service.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: ghost\n  namespace: shop\nspec:\n  ports:\n    - name: http\n      port: 80\n',
    );
    let d = await eventually(
      debug,
      (x) => x.services.some((s) => s.key === 'shop/ghost' && s.imported),
      'shop/ghost imported',
    );
    expect(d.services.find((s) => s.key === 'shop/ghost')?.ips).toHaveLength(1);
    unlinkSync(join(dir, 'south', 'ghost-service.yaml'));
    d = await eventually(
      debug,
      (x) => x.services.some((s) => s.key === 'shop/ghost' && !s.imported),
      'shop/ghost withdrawn',
    );
    expect(d.services.find((s) => s.key === 'shop/ghost')?.exporters[0]?.conditions[0]?.reason).toBe('NoService');
  });

  it('keeps the last good content of a file that stops parsing, and takes the fix', async () => {
    const cart = join(dir, 'west', 'cart.yaml');
    writeFileSync(cart, 'apiVersion: v1\nkind: Service\nmetadata: [this is not closed\n');
    const d = await eventually(
      debug,
      (x) => x.clusters.some((c) => c.problems.some((p) => p.where.endsWith('cart.yaml'))),
      'a problem for cart.yaml',
    );
    const cartView = d.services.find((s) => s.key === 'shop/cart');
    expect(cartView?.exporters.map((e) => e.cluster)).toEqual(['east', 'west.eu']);
    expect(Object.keys(cartView?.endpointsBySource ?? {})).toEqual(['east', 'west.eu']);
    writeFileSync(cart, '# west no longer exports cart\n');
    await eventually(
      debug,
      (x) =>
        x.services
          .find((s) => s.key === 'shop/cart')
          ?.exporters.map((e) => e.cluster)
          .join() === 'east',
      'cart exported by east only',
    );
  });
});

describe('clusterset.local DNS for the example clusterset', () => {
  const resolver = () => {
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${running.dns?.udpPort}`]);
    return r;
  };

  it("answers Node's resolver with the merged view", async () => {
    const d = await debug();
    const cart = d.services.find((s) => s.key === 'shop/cart');
    const r = resolver();
    expect(await r.resolve4('cart.shop.svc.clusterset.local')).toEqual(cart?.ips);
    // Headless: the ready endpoints of both exporting clusters (west's cassandra-1 is not ready).
    expect((await r.resolve4('cassandra.db.svc.clusterset.local')).sort()).toEqual([
      '198.18.30.1',
      '198.18.30.2',
      '198.19.30.1',
    ]);
    expect(await r.resolve4('cassandra-0.west.eu.cassandra.db.svc.clusterset.local')).toEqual(['198.19.30.1']);
    expect(await r.resolveSrv('_http._tcp.cart.shop.svc.clusterset.local')).toMatchObject([
      { name: 'cart.shop.svc.clusterset.local', port: 80, priority: 0, weight: 100 },
    ]);
    expect(await r.resolveTxt('dns-version.clusterset.local')).toEqual([['1.0.0']]);
    await expect(r.resolve4('legacy.shop.svc.clusterset.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('answers dig over UDP and TCP', async (ctx) => {
    if (spawnSync('dig', ['-v']).error) ctx.skip('dig is not installed (Debian bind9-dnsutils); .ci/run installs it');
    // Asynchronous: the server runs in this process and must keep answering while dig waits.
    const dig = async (...args: string[]) =>
      (
        await execFileAsync('dig', [
          '@127.0.0.1',
          '-p',
          String(running.dns?.udpPort),
          '+short',
          '+tries=1',
          '+time=2',
          ...args,
        ])
      ).stdout.trim();
    expect(await dig('checkout.shop.svc.clusterset.local')).toMatch(/^198\.19\.\d+\.\d+$/);
    expect(await dig('+tcp', 'cassandra-1.east.cassandra.db.svc.clusterset.local')).toBe('198.18.30.2');
  });
});
