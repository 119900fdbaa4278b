import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ControlPlaneError } from './errors.ts';
import { repoRoot } from './reference.ts';

export interface ControlPlaneVersions {
  readonly kubernetes: string;
  readonly etcd: string;
}

export interface ControlPlaneBinaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
  readonly versions: ControlPlaneVersions;
}

export const buildScript = path.join(repoRoot, 'scripts/build-controlplane.sh');
const versionsFile = path.join(repoRoot, 'test/controlplane/go/versions.env');

/** The versions pinned in test/controlplane/go/versions.env (the one place they are written). */
export function pinnedVersions(text: string = readFileSync(versionsFile, 'utf8')): ControlPlaneVersions {
  const value = (key: string): string => {
    const match = new RegExp(`^${key}=(\\S+)$`, 'm').exec(text);
    if (match?.[1] === undefined) throw new Error(`${versionsFile} has no ${key}=`);
    return match[1];
  };
  return { kubernetes: value('KUBERNETES_VERSION'), etcd: value('ETCD_VERSION') };
}

/** The cache folder the build script writes to; the same rule as in scripts/build-controlplane.sh. */
export function cachedBinDir(versions: ControlPlaneVersions, env: NodeJS.ProcessEnv = process.env): string {
  const root = env.CLUSTERSET_CACHE_DIR || path.join(env.HOME ?? os.homedir(), '.cache/clusterset');
  return path.join(root, 'controlplane', `${versions.kubernetes}_${versions.etcd}`, 'bin');
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds kube-apiserver and etcd: CLUSTERSET_CONTROLPLANE_BIN (a folder holding both) wins, else the version-keyed
 * cache. Returns undefined when either is missing.
 */
export function findBinaries(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries | undefined {
  const versions = pinnedVersions();
  const dir = env.CLUSTERSET_CONTROLPLANE_BIN || cachedBinDir(versions, env);
  const kubeApiserver = path.join(dir, 'kube-apiserver');
  const etcd = path.join(dir, 'etcd');
  return executable(kubeApiserver) && executable(etcd) ? { kubeApiserver, etcd, versions } : undefined;
}

/** Runs scripts/build-controlplane.sh, its progress going to our stderr; resolves when both binaries exist. */
export async function buildBinaries(env: NodeJS.ProcessEnv = process.env): Promise<ControlPlaneBinaries> {
  const tail: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bash', [buildScript], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail.push(...chunk.toString().split('\n'));
      tail.splice(0, Math.max(0, tail.length - 40));
    });
    child.once('error', reject);
    child.once('close', (status) => resolve(status ?? 1));
  });
  const found = findBinaries(env);
  if (code === 0 && found !== undefined) return found;
  const text = tail.join('\n');
  const reason = /Go is not installed/.test(text) ? 'go-missing' : 'build-failed';
  throw new ControlPlaneError(reason, `${buildScript} failed (exit ${code}):\n${text}`);
}

/**
 * The binaries, built first when `build` is true and they are missing. Without `build`, a missing binary is a
 * clear error naming the command to run: a first build takes many minutes, longer than any test hook should wait.
 */
export async function ensureBinaries(options: { build?: boolean } = {}): Promise<ControlPlaneBinaries> {
  const found = findBinaries();
  if (found !== undefined) return found;
  if (options.build === true) return buildBinaries();
  const versions = pinnedVersions();
  throw new ControlPlaneError(
    'binaries-missing',
    `kube-apiserver ${versions.kubernetes} and etcd ${versions.etcd} are not built yet (looked in ` +
      `${process.env.CLUSTERSET_CONTROLPLANE_BIN || cachedBinDir(versions)}). Run \`bash scripts/build-controlplane.sh\` ` +
      '(npm run controlplane:build) once; it needs Go >= 1.26 and the Go module proxy and takes many minutes the first time.',
  );
}
