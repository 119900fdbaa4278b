// `npm test`: lint and format check (Biome), type check (tsc), the control-plane binaries (built once and
// cached), then every vitest project. Ends with the line CI reads: `N passed, N failed, N skipped`, where
// the lint and type checks count as one test each.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
let passed = 0;
let failed = 0;
let skipped = 0;

function step(title: string, cmd: string, args: string[]): boolean {
  process.stdout.write(`\n== ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  process.stdout.write(`== ${title}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`}\n`);
  return ok;
}

if (Number(process.versions.node.split('.')[0]) < 24) {
  process.stderr.write(`npm test needs Node 24 (node_modules/.bin/node from the node@24 devDependency); this is ${process.version}\n`);
  process.exit(1);
}

for (const [title, cmd, args] of [
  ['lint and format (biome)', bin('biome'), ['check', '.']],
  ['type check (tsc)', bin('tsc'), ['-p', 'tsconfig.json']],
] as const) {
  if (step(title, cmd, [...args])) passed++;
  else failed++;
}

const build = join(root, 'scripts', 'build-controlplane.sh');
if (existsSync(build) && !process.env.CLUSTERSET_SKIP_E2E) {
  if (!step('control-plane binaries (kube-apiserver, etcd)', 'bash', [build])) {
    process.stdout.write('the e2e tests will fail or skip without the binaries\n');
  }
}

const report = join(root, '.vitest.json');
rmSync(report, { force: true });
const projects = process.env.CLUSTERSET_SKIP_E2E ? ['--project', 'unit', '--project', 'integration'] : [];
step('vitest', bin('vitest'), ['run', ...projects, '--reporter=default', '--reporter=json', `--outputFile=${report}`]);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: { status: string; message?: string; name: string }[];
  };
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  // A file that fails to load has no test results of its own: count it, or it would vanish from the total.
  for (const file of r.testResults) {
    if (file.status === 'failed' && file.message) {
      failed++;
      process.stdout.write(`failed to run ${file.name}: ${file.message.split('\n')[0]}\n`);
    }
  }
} else {
  failed++;
  process.stdout.write('vitest wrote no report\n');
}
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 ? 1 : 0);
