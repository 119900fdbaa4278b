// startClusterSet: a clusterset of real member clusters for tests and for trying the controller by hand.
// One etcd, one kube-apiserver per member cluster (each with its own --etcd-prefix), all on loopback.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiServer, newAdminToken } from './apiserver.ts';
import { type ControlPlaneBinaries, ensureBinaries } from './binaries.ts';
import { type Stoppable, track, untrack } from './cleanup.ts';
import { installCrds, loadCrds, waitForCrdsServed } from './crds.ts';
import { type RunningEtcd, startEtcd } from './etcd.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { markOwner, removeStaleFolders, tempPrefix } from './stale.ts';

export { findBinaries, pinnedVersions } from './binaries.ts';

import { ControlPlaneError } from './errors.ts';

export { ControlPlaneError, type ControlPlaneFailure } from './errors.ts';

export interface ClusterSetOptions {
  /** How many member clusters (1..200). */
  readonly clusters: number;
  /** Also install the Istio ServiceEntry CRD from the reference folder (ControlPlaneError if it is absent). */
  readonly istio?: boolean;
  /** Cluster names (RFC 1123 labels), one per cluster; default cluster-1..cluster-N. */
  readonly names?: readonly string[];
  /** Run scripts/build-controlplane.sh when the binaries are missing (minutes); default false: fail clearly. */
  readonly build?: boolean;
}

export interface MemberCluster {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  readonly kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** Stops this cluster's API server; its data stays in etcd. */
  stopApiServer(): Promise<void>;
  /** Starts it again on the same port and etcd prefix (for outage tests); resolves when /readyz is ok. */
  startApiServer(): Promise<void>;
}

export interface ClusterSet {
  readonly clusters: readonly MemberCluster[];
  /** The folder holding every kubeconfig, log and data dir; removed by stop(). */
  readonly dir: string;
  readonly binaries: ControlPlaneBinaries;
  stop(): Promise<void>;
}

const labelPattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function clusterNames(options: ClusterSetOptions): string[] {
  const { clusters: count, names } = options;
  if (!Number.isInteger(count) || count < 1 || count > 200) {
    throw new RangeError(`clusters must be an integer from 1 to 200, got ${count}`);
  }
  const chosen = names === undefined ? Array.from({ length: count }, (_, i) => `cluster-${i + 1}`) : [...names];
  if (chosen.length !== count) throw new RangeError(`names has ${chosen.length} entries for ${count} clusters`);
  for (const name of chosen) {
    if (!labelPattern.test(name)) throw new RangeError(`cluster name ${JSON.stringify(name)} is not an RFC 1123 label`);
  }
  if (new Set(chosen).size !== chosen.length) throw new RangeError(`cluster names repeat: ${chosen.join(', ')}`);
  return chosen;
}

/** 198.19.<i>.0/24 for i < 256, then 198.18.<i-256>.0/24: always inside 198.18.0.0/15. */
function serviceRange(index: number): string {
  return index < 256 ? `198.19.${index}.0/24` : `198.18.${index - 256}.0/24`;
}

export async function startClusterSet(options: ClusterSetOptions): Promise<ClusterSet> {
  const names = clusterNames(options);
  const crds = loadCrds({ istio: options.istio === true }); // fail on a missing Istio CRD before starting anything
  const binaries = await ensureBinaries({ build: options.build === true });
  removeStaleFolders();
  const dir = mkdtempSync(path.join(os.tmpdir(), tempPrefix));
  markOwner(dir);
  const run = randomBytes(4).toString('hex');
  let etcd: RunningEtcd | undefined;
  const servers: ApiServer[] = [];
  let stopping: Promise<void> | undefined;
  const removeDir = (): void => {
    if (process.env.CLUSTERSET_KEEP_CONTROLPLANE_DIR !== '1') rmSync(dir, { recursive: true, force: true });
  };

  const stoppable: Stoppable = {
    // One stop for everyone: a signal handler and the test's afterAll may both ask, and both must wait for it.
    stop() {
      stopping ??= (async () => {
        untrack(stoppable);
        await Promise.all(servers.map((s) => s.stop()));
        await etcd?.process.stop();
        removeDir();
      })();
      return stopping;
    },
    stopNow() {
      for (const s of servers) s.killNow();
      etcd?.process.killNow();
      removeDir();
    },
  };
  track(stoppable);

  try {
    const etcdDir = path.join(dir, 'etcd');
    mkdirSync(etcdDir);
    etcd = await startEtcd(binaries.etcd, etcdDir);
    const token = newAdminToken();
    for (const [index, name] of names.entries()) {
      const clusterDir = path.join(dir, name);
      mkdirSync(clusterDir);
      servers.push(
        await ApiServer.create({
          name,
          binary: binaries.kubeApiserver,
          dir: clusterDir,
          etcdUrl: etcd.url,
          etcdPrefix: `/clusterset-${run}/${name}/registry`,
          serviceClusterIpRange: serviceRange(index),
          token,
        }),
      );
    }
    await Promise.all(servers.map((s) => s.start()));
    const clusters = servers.map((apiServer): MemberCluster => {
      const kubeconfigPath = path.join(dir, apiServer.settings.name, 'kubeconfig.yaml');
      const kubeConfig = writeKubeconfig(kubeconfigPath, {
        name: apiServer.settings.name,
        server: apiServer.server,
        caPem: apiServer.caPem(),
        token,
      });
      return {
        name: apiServer.settings.name,
        kubeConfig,
        kubeconfigPath,
        server: apiServer.server,
        stopApiServer: () => apiServer.stop(),
        startApiServer: async () => {
          await apiServer.start();
          await waitForCrdsServed(kubeConfig, crds);
        },
      };
    });
    await Promise.all(
      clusters.map(async (c) => {
        await installCrds(c.kubeConfig, crds);
        await waitForCrdsServed(c.kubeConfig, crds);
      }),
    );
    return { clusters, dir, binaries, stop: () => stoppable.stop() };
  } catch (error) {
    await stoppable.stop();
    if (error instanceof ControlPlaneError && process.env.CLUSTERSET_KEEP_CONTROLPLANE_DIR !== '1') {
      error.message += `\n(${dir} has been removed; CLUSTERSET_KEEP_CONTROLPLANE_DIR=1 keeps its logs)`;
    }
    throw error;
  }
}
