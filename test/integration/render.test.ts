// `clusterset render` as a user runs it: the real CLI on Node 24, on the bundled example and on bad input.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const CLI = join(ROOT, 'src', 'cli', 'main.ts');
const tmp = mkdtempSync(join(tmpdir(), 'clusterset-render-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(NODE, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('clusterset render', () => {
  it('matches the checked-in expected files for the example clusterset', () => {
    const out = join(tmp, 'example');
    const r = cli(
      'render',
      '--clusters',
      join(ROOT, 'examples/clusterset'),
      '--out',
      out,
      '--transition-time',
      '2026-01-01T00:00:00Z',
    );
    expect(r.stderr).not.toMatch(/"level":"(warn|error)"/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('rendered 3 imported service(s) for 3 cluster(s)');
    const expected = join(ROOT, 'examples/clusterset-expected');
    expect(readdirSync(out).sort()).toEqual(readdirSync(expected).sort());
    for (const cluster of readdirSync(expected)) {
      for (const file of readdirSync(join(expected, cluster))) {
        expect(readFileSync(join(out, cluster, file), 'utf8'), `${cluster}/${file}`).toBe(
          readFileSync(join(expected, cluster, file), 'utf8'),
        );
      }
    }
  });

  it('exits 1 naming the file and the object on invalid input', () => {
    const input = join(tmp, 'bad');
    cpSync(join(ROOT, 'examples/clusterset'), input, { recursive: true });
    writeFileSync(
      join(input, 'east', 'broken.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\n  namespace: shop\nspec:\n  ports:\n    - port: 99999\n---\napiVersion: multicluster.x-k8s.io/v1beta1\nkind: ServiceExport\nmetadata:\n  name: nodate\n  namespace: shop\n',
    );
    writeFileSync(join(input, 'west', 'syntax.yaml'), 'kind: Service\nmetadata: [unclosed\n');
    const r = cli('render', '--clusters', input, '--out', join(tmp, 'bad-out'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('east/broken.yaml: ServiceExport shop/nodate: metadata.creationTimestamp: is required');
    expect(r.stderr).toContain('west/syntax.yaml');
  });

  it('reports a Service it cannot export as a condition, not as a failure', () => {
    const input = join(tmp, 'odd');
    cpSync(join(ROOT, 'examples/clusterset'), input, { recursive: true });
    writeFileSync(
      join(input, 'south', 'odd.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: odd\n  namespace: shop\nspec:\n  ports:\n    - port: 1\n    - port: 2\n---\napiVersion: multicluster.x-k8s.io/v1beta1\nkind: ServiceExport\nmetadata:\n  name: odd\n  namespace: shop\n  creationTimestamp: "2026-01-01T00:00:00Z"\n',
    );
    const r = cli('render', '--clusters', input, '--out', join(tmp, 'odd-out'));
    expect(r.status).toBe(0);
    const exports = readFileSync(join(tmp, 'odd-out', 'south', 'serviceexports.yaml'), 'utf8');
    expect(exports).toContain('reason: InvalidService');
    expect(exports).toContain('spec.ports[0].name: is required when a Service has several ports');
  });

  it('names the bad option, and prints help', () => {
    const bad = cli('render', '--clusterz', 'x');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--clusterz: unknown option');
    const range = cli('render', '--clusters', 'x', '--out', 'y', '--clusterset-ipv4-range', 'fd00::/64');
    expect(range.stderr).toContain('clusterSetIPv4Range (--clusterset-ipv4-range): "fd00::/64" is not an IPv4 CIDR');
    const help = cli('render', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--transition-time');
  });
});
