import path from 'node:path';
import { freeLoopbackPort } from './ports.ts';
import { ManagedProcess } from './process.ts';

export interface RunningEtcd {
  readonly url: string;
  readonly process: ManagedProcess;
}

const startTimeoutMs = Number(process.env.CLUSTERSET_ETCD_START_TIMEOUT_MS ?? 30_000);

/**
 * One single-member etcd on loopback, shared by every API server of a clusterset through --etcd-prefix.
 * Flags follow envtest: throwaway data dir, no fsync (test data need not survive a power cut).
 */
export async function startEtcd(binary: string, dir: string): Promise<RunningEtcd> {
  const clientPort = await freeLoopbackPort();
  const peerPort = await freeLoopbackPort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const etcd = new ManagedProcess(
    'etcd',
    binary,
    [
      '--name=clusterset',
      `--data-dir=${path.join(dir, 'data')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=clusterset=${peer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
    path.join(dir, 'etcd.log'),
  );
  await etcd.waitUntil(
    async () => {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await response.json()) as { health?: string };
      return response.ok && body.health === 'true';
    },
    startTimeoutMs,
    `healthy at ${url}/health`,
  );
  return { url, process: etcd };
}
