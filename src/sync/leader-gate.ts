// An output that writes to member clusters only while this replica leads. Followers still merge (their DNS
// answers and debug views stay current) but never write, so replicas cannot fight over the same objects.
import type { MergeResult } from '../mcs/merge.ts';
import type { ViewSink } from './controller.ts';

export class LeaderGate implements ViewSink {
  readonly name: string;
  readonly #inner: ViewSink;
  readonly #leading: () => boolean;

  constructor(inner: ViewSink, leading: () => boolean) {
    this.name = `${inner.name} (leader only)`;
    this.#inner = inner;
    this.#leading = leading;
  }

  async apply(result: MergeResult, previous: MergeResult | undefined): Promise<void> {
    if (this.#leading()) await this.#inner.apply(result, previous);
  }
}
