// The reconcile loop with in-memory sources (plain data): what it merges and when, and how it treats outputs
// that fail and clusters that go away. Real member clusters are in test/e2e.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { ClusterSetIpAllocator } from '../../src/mcs/clustersetip.ts';
import type { MergeResult } from '../../src/mcs/merge.ts';
import type { ClusterFacts, ServiceKey } from '../../src/mcs/types.ts';
import { createControllerMetrics } from '../../src/metrics.ts';
import type { InputProblem, Source, SourceEvent } from '../../src/sources/source.ts';
import { Controller, type ViewSink } from '../../src/sync/controller.ts';
import { cluster, exp, group, svc, T1 } from './mcs-fixtures.ts';

class MemorySource implements Source {
  readonly name: string;
  facts = new Map<ServiceKey, ClusterFacts>();
  isSynced = false;
  isHealthy = true;
  ips: [ServiceKey, string[]][] = [];
  readonly #listeners = new Set<(e: SourceEvent) => void>();
  constructor(name: string) {
    this.name = name;
  }
  clusterId() {
    return this.name;
  }
  synced() {
    return this.isSynced;
  }
  healthy() {
    return this.isHealthy;
  }
  on(l: (e: SourceEvent) => void) {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
  emit(e: SourceEvent) {
    for (const l of this.#listeners) l(e);
  }
  snapshot(key: ServiceKey): ClusterFacts {
    return this.facts.get(key) ?? cluster();
  }
  keys() {
    return this.facts.keys();
  }
  exportedKeysIn(ns: string) {
    return [...this.facts.entries()].filter(([k, f]) => f.export && k.startsWith(`${ns}/`)).map(([k]) => k);
  }
  namespaceExists() {
    return true;
  }
  exportCount() {
    return [...this.facts.values()].filter((f) => f.export).length;
  }
  problems(): InputProblem[] {
    return [];
  }
  existingClusterSetIPs() {
    return this.ips;
  }
  async start() {}
  async stop() {}
}

function recorder(): ViewSink & { seen: MergeResult[] } {
  const seen: MergeResult[] = [];
  return { name: 'recorder', seen, apply: (r) => void seen.push(r) };
}

function setup(options: { gracePeriodMs?: number } = {}) {
  const a = new MemorySource('a');
  const b = new MemorySource('b');
  const sink = recorder();
  const controller = new Controller({
    sources: [a, b],
    allocator: new ClusterSetIpAllocator({ IPv4: '198.19.0.0/16' }),
    logger: silentLogger,
    metrics: createControllerMetrics({ defaultMetrics: false }),
    sinks: [sink],
    gracePeriodMs: options.gracePeriodMs,
  });
  return { a, b, sink, controller };
}

describe('Controller', () => {
  it('merges nothing until every source has synced', async () => {
    const { a, b, sink, controller } = setup();
    a.facts.set('ns/web', cluster({ export: exp(T1), service: svc() }));
    await controller.start();
    a.isSynced = true;
    a.emit({ type: 'sync', synced: true });
    a.emit({ type: 'service', key: 'ns/web' });
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.seen).toEqual([]);
    expect(controller.ready()).toBe(false);
    b.isSynced = true;
    b.emit({ type: 'sync', synced: true });
    await controller.settled();
    expect(sink.seen.map((r) => r.view?.importers)).toEqual([['a', 'b']]);
    expect(controller.ready()).toBe(true);
    await controller.stop();
  });

  it('keeps ClusterSetIPs found on existing ServiceImports', async () => {
    const { a, b, sink, controller } = setup();
    a.facts.set('ns/web', cluster({ export: exp(T1), service: svc() }));
    b.ips = [['ns/web', ['198.19.42.42']]];
    a.isSynced = b.isSynced = true;
    await controller.start();
    await controller.settled();
    expect(sink.seen[0]?.view?.ips).toEqual(['198.19.42.42']);
    await controller.stop();
  });

  it('gives every output the result when one fails, and retries the key', async () => {
    const { a, b, sink, controller } = setup();
    let failures = 2;
    controller.addSink({
      name: 'flaky',
      apply() {
        if (failures-- > 0) throw new Error('refused');
      },
    });
    a.facts.set('ns/web', cluster({ export: exp(T1), service: svc() }));
    a.isSynced = b.isSynced = true;
    await controller.start();
    await controller.settled();
    // Both attempts that failed still reached the recorder; the third succeeded.
    expect(sink.seen.length).toBe(3);
    expect(failures).toBe(-1);
    await controller.stop();
  });

  it("withdraws an unreachable cluster's endpoints after the grace period, not its export", async () => {
    const { a, b, sink, controller } = setup({ gracePeriodMs: 50 });
    a.facts.set('ns/web', cluster({ export: exp(T1), service: svc(), endpoints: [group(['198.18.0.1'])] }));
    b.facts.set('ns/web', cluster({ export: exp(T1), service: svc(), endpoints: [group(['198.18.0.2'])] }));
    a.isSynced = b.isSynced = true;
    await controller.start();
    await controller.settled();
    expect([...(sink.seen.at(-1)?.view?.endpointsBySource.keys() ?? [])]).toEqual(['a', 'b']);
    b.isHealthy = false;
    b.emit({ type: 'health', healthy: false });
    await new Promise((r) => setTimeout(r, 120));
    await controller.settled();
    const last = sink.seen.at(-1)?.view;
    expect([...(last?.endpointsBySource.keys() ?? [])]).toEqual(['a']);
    expect(last?.exporters.map((e) => e.cluster)).toEqual(['a', 'b']);
    b.isHealthy = true;
    b.emit({ type: 'health', healthy: true });
    await controller.settled();
    expect([...(sink.seen.at(-1)?.view?.endpointsBySource.keys() ?? [])]).toEqual(['a', 'b']);
    await controller.stop();
  });
});
