// A member cluster given as a folder of manifests. Every .yaml/.yml file below the folder is read; edits,
// new files and deleted files are picked up without a restart. A file that fails to parse keeps its last
// good content, so a typo never makes a cluster's exports disappear.
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Logger } from '../log.ts';
import type { KubeObject } from '../mcs/kube-objects.ts';
import type { ClusterFacts, ClusterId, ServiceKey } from '../mcs/types.ts';
import { ClusterStore, type StoreChanges, WATCHED_KINDS } from './cluster-store.ts';
import { SourceListeners } from './listeners.ts';
import { ManifestSyntaxError, parseManifests } from './manifest-files.ts';
import type { InputProblem, Source, SourceEvent } from './source.ts';

interface FileState {
  mtimeMs: number;
  size: number;
  /** The last content that parsed. */
  objects: KubeObject[];
  problems: InputProblem[];
  syntaxError?: string;
}

export interface FileSourceOptions {
  dir: string;
  name: string;
  logger: Logger;
  /** Watch for changes (run); off for one-shot reads (render). */
  watch?: boolean;
  debounceMs?: number;
}

export class FileSource implements Source {
  readonly name: string;
  readonly #dir: string;
  readonly #log: Logger;
  readonly #watch: boolean;
  readonly #debounceMs: number;
  readonly #store = new ClusterStore({ implicitNamespaces: true });
  readonly #files = new Map<string, FileState>();
  readonly #listeners = new SourceListeners();
  #problems: InputProblem[] = [];
  #synced = false;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #clusterId: ClusterId;

  constructor(options: FileSourceOptions) {
    this.name = options.name;
    this.#clusterId = options.name;
    this.#dir = options.dir;
    this.#log = options.logger.child({ cluster: options.name, source: 'files' });
    this.#watch = options.watch ?? true;
    this.#debounceMs = options.debounceMs ?? 50;
  }

  clusterId(): ClusterId {
    return this.#clusterId;
  }

  synced(): boolean {
    return this.#synced;
  }

  healthy(): boolean {
    return true;
  }

  on(listener: (e: SourceEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  snapshot(key: ServiceKey): ClusterFacts {
    return this.#store.snapshot(key);
  }

  keys(): Iterable<ServiceKey> {
    return this.#store.keys();
  }

  exportedKeysIn(namespace: string): Iterable<ServiceKey> {
    return this.#store.exportedKeysIn(namespace);
  }

  namespaceExists(namespace: string): boolean {
    return this.#store.namespaceExists(namespace);
  }

  exportCount(): number {
    return this.#store.exportCount;
  }

  problems(): readonly InputProblem[] {
    return this.#problems;
  }

  async start(): Promise<void> {
    await this.#reload();
    this.#synced = true;
    this.#emit({ type: 'sync', synced: true });
    if (this.#watch) {
      this.#watcher = watch(this.#dir, { recursive: true }, () => this.#schedule());
      this.#watcher.on('error', (err) =>
        this.#log.error('watching the manifest folder failed', { dir: this.#dir, err }),
      );
    }
  }

  async stop(): Promise<void> {
    this.#watcher?.close();
    if (this.#timer) clearTimeout(this.#timer);
    await this.#reloading;
  }

  /** For tests and callers that changed files and want them read now. */
  async refresh(): Promise<void> {
    this.#reloading = this.#reloading.then(() => this.#reload());
    await this.#reloading;
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.refresh().catch((err) => this.#log.error('reloading manifests failed', { err }));
    }, this.#debounceMs);
  }

  async #reload(): Promise<void> {
    const paths = await listManifests(this.#dir);
    let changed = false;
    for (const path of this.#files.keys()) {
      if (!paths.includes(path)) {
        this.#files.delete(path);
        changed = true;
        this.#log.info('manifest file removed', { file: this.#rel(path) });
      }
    }
    for (const path of paths) {
      const st = await stat(path).catch(() => undefined);
      if (!st) continue;
      const old = this.#files.get(path);
      if (old && old.mtimeMs === st.mtimeMs && old.size === st.size) continue;
      changed = true;
      this.#files.set(path, await this.#readFile(path, st, old));
    }
    if (changed || !this.#synced) this.#rebuild();
  }

  async #readFile(path: string, st: { mtimeMs: number; size: number }, old: FileState | undefined): Promise<FileState> {
    const where = this.#rel(path);
    try {
      const parsed = parseManifests(await readFile(path, 'utf8'), where);
      for (const p of parsed.problems)
        this.#log.warn('manifest object skipped', { file: p.where, object: p.object, problem: p.message });
      return { mtimeMs: st.mtimeMs, size: st.size, objects: parsed.objects, problems: parsed.problems };
    } catch (err) {
      if (!(err instanceof ManifestSyntaxError)) throw err;
      // Keep the last good content: a half-saved or mistyped file must not withdraw this cluster's exports.
      this.#log.warn('manifest file does not parse; keeping its last good content', {
        file: where,
        problem: err.message,
      });
      return {
        mtimeMs: st.mtimeMs,
        size: st.size,
        objects: old?.objects ?? [],
        problems: [{ where, message: `${err.message} (the last good content of this file stays in use)` }],
        syntaxError: err.message,
      };
    }
  }

  #rebuild(): void {
    const byKind = new Map<string, KubeObject[]>(WATCHED_KINDS.map((k) => [k, []]));
    const origin = new Map<KubeObject, string>();
    const problems: InputProblem[] = [];
    const seen = new Map<string, string>();
    for (const [path, file] of this.#files) {
      problems.push(...file.problems);
      for (const obj of file.objects) {
        const list = byKind.get(String(obj.kind));
        const where = this.#rel(path);
        if (!list) {
          problems.push({
            where,
            object: `${String(obj.kind)} ${String(obj.metadata?.name)}`,
            message: `kind "${String(obj.kind)}" is not read by clusterset (it reads ${WATCHED_KINDS.join(', ')})`,
          });
          continue;
        }
        const id = `${String(obj.kind)} ${obj.metadata?.namespace ? `${String(obj.metadata.namespace)}/` : ''}${String(obj.metadata?.name)}`;
        const first = seen.get(id);
        if (first) {
          problems.push({ where, object: id, message: `also defined in ${first}; this copy is ignored` });
          continue;
        }
        seen.set(id, where);
        origin.set(obj, where);
        list.push(obj);
      }
    }
    const changes: StoreChanges = ClusterStore.emptyChanges();
    for (const kind of WATCHED_KINDS) {
      const { errors } = this.#store.replace(kind, byKind.get(kind) ?? [], changes);
      for (const { obj, error } of errors) {
        problems.push({
          where: origin.get(obj) ?? this.#dir,
          object: error.object,
          message: `${error.field}: ${error.detail}`,
        });
        this.#log.warn('manifest object skipped', {
          file: origin.get(obj),
          object: error.object,
          field: error.field,
          problem: error.detail,
        });
      }
    }
    this.#problems = problems;
    const previous = this.#clusterId;
    this.#clusterId = this.#store.clusterIdProperty ?? this.name;
    if (changes.clusterIdChanged && previous !== this.#clusterId) {
      this.#log.info('cluster id changed', { previous, current: this.#clusterId });
      this.#emit({ type: 'clusterId', previous, current: this.#clusterId });
    }
    for (const namespace of changes.namespaces) this.#emit({ type: 'namespace', namespace });
    for (const key of changes.keys) this.#emit({ type: 'service', key });
  }

  #emit(event: SourceEvent): void {
    this.#listeners.emit(event);
  }

  #rel(path: string): string {
    return join(this.name, relative(this.#dir, path));
  }
}

async function listManifests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** One FileSource per sub-folder of `root`: the folder name is the cluster's name. */
export async function fileSourcesIn(root: string, logger: Logger, watchFiles = true): Promise<FileSource[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`--clusters ${root}: ${err.code === 'ENOENT' ? 'no such folder' : err.message}`);
  });
  const dirs = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (dirs.length === 0)
    throw new Error(`--clusters ${root}: no member cluster folders inside (one sub-folder per cluster)`);
  return dirs.map((name) => new FileSource({ dir: join(root, name), name, logger, watch: watchFiles }));
}
