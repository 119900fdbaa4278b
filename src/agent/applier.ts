// Applies node rules with nft: one transaction per call, into the one table the agent owns. Holds the state the
// table is believed to be in; a refused delta, or drift, turns into a full rebuild (itself one transaction).
import { performance } from 'node:perf_hooks';
import type { ServiceKey } from '../mcs/types.ts';
import type { NodeServiceRules } from '../noderules/model.ts';
import { TABLE_FAMILY } from '../noderules/nft-layout.ts';
import { commitPlan, planDelta } from '../noderules/plan-delta.ts';
import { renderFull } from '../noderules/render-full.ts';
import { buildState, emptyState, type NodeRulesState, nextGeneration } from '../noderules/state.ts';
import { compareTable, type DriftReport } from './drift.ts';
import type { AgentMetrics } from './metrics.ts';
import { NftError, type NftRunner } from './nft.ts';

export interface ApplyResult {
  kind: 'full' | 'delta' | 'none';
  generation: number;
  elementOps: number;
  ms: number;
}

export class NodeRulesApplier {
  private readonly nft: NftRunner;
  private readonly metrics: AgentMetrics | undefined;
  private current: NodeRulesState;
  /** False until a full apply succeeded: the first transaction of a process is always a full one. */
  private programmed = false;

  constructor(options: { nft: NftRunner; table: string; metrics?: AgentMetrics }) {
    this.nft = options.nft;
    this.metrics = options.metrics;
    this.current = emptyState(options.table);
  }

  get state(): Readonly<NodeRulesState> {
    return this.current;
  }

  /** Replace the whole table with `desired`, atomically. */
  async full(desired: Iterable<NodeServiceRules>): Promise<ApplyResult> {
    const start = performance.now();
    // Generations keep counting across rebuilds, so an observer never sees one go back.
    const next = buildState(this.current.table, desired, nextGeneration(this.current.generation));
    try {
      await this.nft.apply(renderFull(next));
    } catch (error) {
      this.metrics?.applyFailures.inc({ kind: 'full' });
      throw error;
    }
    this.current = next;
    this.programmed = true;
    return this.done('full', 0, start);
  }

  /** Apply the changed services only; falls back to a full rebuild when the kernel refuses the delta. */
  async update(changes: Map<ServiceKey, NodeServiceRules | undefined>): Promise<ApplyResult> {
    if (!this.programmed) return this.full(mergeChanges(this.current.desired, changes).values());
    const start = performance.now();
    const plan = planDelta(this.current, changes);
    if (plan.needsFull) return this.full(mergeChanges(this.current.desired, changes).values());
    if (plan.text === '') {
      commitPlan(this.current, plan);
      return { kind: 'none', generation: this.current.generation, elementOps: 0, ms: performance.now() - start };
    }
    try {
      await this.nft.apply(plan.text);
    } catch (error) {
      if (!(error instanceof NftError)) throw error;
      // The table is not what we think (drift, or a kernel that refused an element): rebuild from desired state.
      this.metrics?.applyFailures.inc({ kind: 'delta' });
      return this.full(mergeChanges(this.current.desired, changes).values());
    }
    commitPlan(this.current, plan);
    this.metrics?.elementOps.inc(plan.elementOps);
    return this.done('delta', plan.elementOps, start);
  }

  /** Compare the kernel's table with the state; does not repair. */
  async check(): Promise<DriftReport> {
    if (!this.programmed) return { drifted: false };
    const t = [TABLE_FAMILY, this.current.table];
    let table: string;
    let generation: string;
    try {
      table = await this.nft.run(['-j', '-t', 'list', 'table', ...t]);
      generation = await this.nft.run(['-j', 'list', 'set', ...t, 'generation']);
    } catch (error) {
      if (error instanceof NftError) return { drifted: true, reason: `cannot list table: ${error.message}` };
      throw error;
    }
    return compareTable(this.current, table, generation);
  }

  /** Check, and rebuild when the table drifted. */
  async repair(): Promise<DriftReport> {
    const report = await this.check();
    if (report.drifted) {
      this.metrics?.driftRepairs.inc();
      await this.full([...this.current.desired.values()]);
    }
    return report;
  }

  /** Delete the table (agent uninstall). */
  async remove(): Promise<void> {
    await this.nft.apply(
      `add table ${TABLE_FAMILY} ${this.current.table}\ndelete table ${TABLE_FAMILY} ${this.current.table}\n`,
    );
    this.current = emptyState(this.current.table);
    this.programmed = false;
  }

  private done(kind: 'full' | 'delta', elementOps: number, start: number): ApplyResult {
    const ms = performance.now() - start;
    this.metrics?.applyDuration.observe({ kind }, ms / 1000);
    this.metrics?.appliedGeneration.set(this.current.generation);
    this.metrics?.services.set(this.current.applied.size);
    this.metrics?.lastApplyTimestamp.set(Date.now() / 1000);
    return { kind, generation: this.current.generation, elementOps, ms };
  }
}

function mergeChanges(
  desired: ReadonlyMap<ServiceKey, NodeServiceRules>,
  changes: Map<ServiceKey, NodeServiceRules | undefined>,
): Map<ServiceKey, NodeServiceRules> {
  const out = new Map(desired);
  for (const [key, rules] of changes) {
    if (rules === undefined) out.delete(key);
    else out.set(key, rules);
  }
  return out;
}
