import { defineConfig } from 'vitest/config';

// Three projects, so that each kind of test can run alone:
// - unit: pure logic on plain data, no root, no network, no API server;
// - integration: real parts on this machine (nft in network namespaces, DNS clients, file watching, HTTP);
// - e2e: real kube-apiserver + etcd member clusters from test/controlplane.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
