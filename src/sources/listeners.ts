// The listeners of one source: every Source hands its events out the same way.
import type { SourceEvent } from './source.ts';

export class SourceListeners {
  readonly #listeners = new Set<(e: SourceEvent) => void>();

  /** Adds a listener; the returned function removes it. */
  add(listener: (e: SourceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: SourceEvent): void {
    for (const l of this.#listeners) l(event);
  }
}
