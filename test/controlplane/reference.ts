import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in test/controlplane/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where this project's own CRDs live. */
export const crdsDir = path.join(repoRoot, 'crds');

/**
 * The shared reference folder (official CRDs, spec digests). It is a test input that lives beside the
 * repository, never inside it, so a plain clone may not have it: CLUSTERSET_REFERENCE_DIR points elsewhere.
 */
export function referenceDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CLUSTERSET_REFERENCE_DIR;
  return fromEnv !== undefined && fromEnv !== ''
    ? path.resolve(fromEnv)
    : path.resolve(repoRoot, '../shared/reference');
}

export type ReferenceFile =
  | { readonly present: true; readonly path: string }
  | { readonly present: false; readonly path: string; readonly missing: string };

/**
 * Locates one reference file, relative to the reference folder (e.g. 'crds/mcs-api.serviceexports.yaml').
 * When it is absent, `missing` says what is missing and how to supply it, ready for a skip message.
 */
export function referenceFile(relative: string, env: NodeJS.ProcessEnv = process.env): ReferenceFile {
  const file = path.join(referenceDir(env), relative);
  if (existsSync(file)) return { present: true, path: file };
  return {
    present: false,
    path: file,
    missing:
      `reference file ${relative} not found at ${file}; set CLUSTERSET_REFERENCE_DIR to a folder holding ${relative} ` +
      '(the shared reference folder, by default ../shared/reference beside the repository)',
  };
}
