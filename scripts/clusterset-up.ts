// Starts a local clusterset of real member clusters (kube-apiserver + one shared etcd on loopback) with the
// project's CRDs installed, prints the kubeconfig paths, and runs until Ctrl-C, which stops everything and removes
// the temporary folder. Builds the binaries first when they are missing (many minutes the first time).
//
//   node scripts/clusterset-up.ts [--clusters N] [--names a,b,c] [--istio]
import { parseArgs } from 'node:util';
import { startClusterSet } from '../test/controlplane/index.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '3' },
    names: { type: 'string' },
    istio: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write('usage: node scripts/clusterset-up.ts [--clusters N] [--names a,b,c] [--istio]\n');
  process.exit(0);
}

const names = values.names?.split(',').map((n) => n.trim());
const clusters = names?.length ?? Number(values.clusters);
const started = performance.now();
try {
  const clusterSet = await startClusterSet({ clusters, istio: values.istio, build: true, ...(names ? { names } : {}) });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const lines = [
    `clusterset up in ${seconds} s: ${clusterSet.clusters.length} member clusters (kube-apiserver ${clusterSet.binaries.versions.kubernetes}, etcd ${clusterSet.binaries.versions.etcd})`,
    ...clusterSet.clusters.map((c) => `  ${c.name.padEnd(12)} ${c.server}  ${c.kubeconfigPath}`),
    '',
    'Try:',
    `  kubectl --kubeconfig ${clusterSet.clusters[0]?.kubeconfigPath} get serviceexports -A`,
    `  export KUBECONFIG=${clusterSet.clusters.map((c) => c.kubeconfigPath).join(':')}   # one context per cluster`,
    '',
    'Ctrl-C stops the clusterset and removes its folder.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.once('SIGINT', () => process.stdout.write('\nstopping the clusterset...\n'));
  process.once('SIGTERM', () => process.stdout.write('stopping the clusterset...\n'));
  // Keeps the event loop alive; the harness's signal hooks stop the processes and then end this one.
  setInterval(() => {}, 60_000);
} catch (error) {
  process.stderr.write(`clusterset-up: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
