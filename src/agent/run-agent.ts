// The node agent: reads its cluster (ServiceImports, MCS EndpointSlices, its Node) from an abstract input, renders
// this node's rules with src/noderules and keeps the agent's nft table equal to them: a full transaction at start
// (and after a relist, a zone change, drift or a periodic resync), element deltas for everything else.
import type { Registry } from 'prom-client';
import { type Logger, silentLogger } from '../log.ts';
import type { ServiceKey } from '../mcs/types.ts';
import type { NodeServiceRules } from '../noderules/model.ts';
import { DEFAULT_TABLE } from '../noderules/nft-layout.ts';
import { selectNodeRules } from '../noderules/select.ts';
import { type ApplyResult, NodeRulesApplier } from './applier.ts';
import { ClusterCache } from './cluster-cache.ts';
import type { AgentInput } from './input.ts';
import { type AgentMetrics, registerAgentMetrics } from './metrics.ts';
import { type NftRunner, nftRunner } from './nft.ts';
import type { AgentStatus, StatusReporter } from './status.ts';

export interface AgentOptions {
  /** This node's name (the DaemonSet passes spec.nodeName as NODE_NAME). */
  nodeName: string;
  /** ServiceImports, MCS EndpointSlices and this Node, as list (Replace) and watch (Upsert/Delete) events. */
  input: AgentInput;
  /** How nft is run; default: the `nft` binary in this network namespace. */
  nft?: NftRunner;
  /** The nftables table (family inet) the agent owns; default `clusterset`. */
  table?: string;
  /** Where the agent's metrics are registered (the process's /metrics registry). */
  registry?: Registry;
  status?: StatusReporter;
  logger?: Logger;
  /** How often the table is checked for drift; default 10 s. */
  driftCheckIntervalMs?: number;
  /** How often the whole table is rewritten anyway (repairs tampered elements); default 15 min; 0 = never. */
  fullResyncIntervalMs?: number;
  /** How often status is reported even when nothing changed (keeps the Lease fresh); default 10 s. */
  statusIntervalMs?: number;
  /** First retry delay after a failed transaction, doubled up to 30 s. */
  retryBaseMs?: number;
}

export interface AgentHandle {
  status(): AgentStatus;
  /** Ready once the first full transaction succeeded and the last one did. */
  ready(): boolean;
  /** Resolves when every event received so far has been applied (or has failed). */
  settled(): Promise<void>;
  /** Stop reading, stop timers, wait for the transaction in flight. Leaves the table in place (conntrack keeps
   * flows and the next agent rebuilds in one transaction). */
  stop(): Promise<void>;
  /** Delete the agent's table (uninstall). */
  removeTable(): Promise<void>;
  /** Ends when the input ends or stop() is called; rejects if reading the input failed. */
  done: Promise<void>;
  readonly metrics: AgentMetrics | undefined;
}

export function runAgent(options: AgentOptions): AgentHandle {
  const logger = options.logger ?? silentLogger;
  const metrics = options.registry === undefined ? undefined : registerAgentMetrics(options.registry);
  const nft = options.nft ?? nftRunner();
  const applier = new NodeRulesApplier({
    nft,
    table: options.table ?? DEFAULT_TABLE,
    ...(metrics === undefined ? {} : { metrics }),
  });
  const cache = new ClusterCache(options.nodeName);
  const retryBase = options.retryBaseMs ?? 1000;

  let fullNeeded = true;
  const pending = new Set<ServiceKey>();
  let healthy = false;
  let lastApply: string | undefined;
  let lastError: string | undefined;
  let retryDelay = retryBase;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;

  const status = (): AgentStatus => {
    const s: AgentStatus = {
      nodeName: options.nodeName,
      synced: cache.synced(),
      healthy,
      generation: applier.state.generation,
      services: applier.state.applied.size,
    };
    if (lastApply !== undefined) s.lastApply = lastApply;
    if (lastError !== undefined) s.lastError = lastError;
    return s;
  };

  const report = (): void => {
    if (options.status === undefined) return;
    options.status.report(status()).catch((error: unknown) => {
      logger.warn('cannot report agent status', { err: error instanceof Error ? error.message : String(error) });
    });
  };

  /** Run `work` after everything queued before it: one nft transaction at a time. */
  const serial = (work: () => Promise<void>): Promise<void> => {
    chain = chain.then(work, work);
    return chain;
  };

  const rulesOf = (key: ServiceKey): NodeServiceRules | undefined => {
    const result = cache.model(key);
    if (result === undefined) return undefined;
    if (!result.ok) {
      logger.warn('ServiceImport cannot be programmed', { service: key, err: result.error.message });
      return undefined;
    }
    if (result.model.ips.length === 0) return undefined; // Headless: DNS only, nothing to program
    return selectNodeRules(result.model, cache.node());
  };

  const flush = async (): Promise<void> => {
    scheduled = false;
    if (stopped || !cache.synced()) return;
    if (!fullNeeded && pending.size === 0) return;
    let result: ApplyResult;
    try {
      if (fullNeeded) {
        pending.clear();
        fullNeeded = false;
        const desired: NodeServiceRules[] = [];
        for (const key of cache.keys()) {
          const rules = rulesOf(key);
          if (rules !== undefined) desired.push(rules);
        }
        result = await applier.full(desired);
      } else {
        const changes = new Map<ServiceKey, NodeServiceRules | undefined>();
        for (const key of pending) changes.set(key, rulesOf(key));
        pending.clear();
        result = await applier.update(changes);
      }
    } catch (error) {
      // The table is as it was before this transaction; rebuild everything on the retry.
      fullNeeded = true;
      healthy = false;
      lastError = error instanceof Error ? error.message : String(error);
      metrics?.healthy.set(0);
      logger.error('applying node rules failed', { err: lastError, retryInMs: retryDelay });
      if (!stopped) {
        clearTimeout(retryTimer);
        retryTimer = setTimeout(schedule, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30_000);
      }
      report();
      return;
    }
    retryDelay = retryBase;
    healthy = true;
    lastError = undefined;
    metrics?.healthy.set(1);
    if (result.kind !== 'none') {
      lastApply = new Date().toISOString();
      logger.debug('node rules applied', { ...result });
    }
    report();
  };

  function schedule(): void {
    if (scheduled || stopped) return;
    scheduled = true;
    // setImmediate: events that arrive together (a relist, a burst of slices) go into one transaction.
    setImmediate(() => void serial(flush));
  }

  const timers: NodeJS.Timeout[] = [];
  timers.push(
    setInterval(() => {
      void serial(async () => {
        if (stopped) return;
        try {
          const report = await applier.repair();
          if (report.drifted) logger.warn('node rules drifted; table rebuilt', { reason: report.reason });
        } catch (error) {
          healthy = false;
          lastError = error instanceof Error ? error.message : String(error);
          metrics?.healthy.set(0);
          fullNeeded = true;
          schedule();
        }
      });
    }, options.driftCheckIntervalMs ?? 10_000),
  );
  const resync = options.fullResyncIntervalMs ?? 15 * 60_000;
  if (resync > 0) {
    timers.push(
      setInterval(() => {
        fullNeeded = true;
        schedule();
      }, resync),
    );
  }
  timers.push(setInterval(report, options.statusIntervalMs ?? 10_000));
  for (const t of timers) t.unref();

  const iterator = options.input[Symbol.asyncIterator]();
  let signalStop = (): void => {};
  const stopRead = new Promise<IteratorReturnResult<undefined>>((resolve) => {
    signalStop = () => resolve({ done: true, value: undefined });
  });
  const done = (async () => {
    while (!stopped) {
      // An idle input never resolves next(): stop() must not wait for it.
      const next = await Promise.race([iterator.next(), stopRead]);
      if (next.done === true) break;
      const dirty = cache.apply(next.value);
      if (dirty.all) fullNeeded = true;
      else for (const key of dirty.keys) pending.add(key);
      schedule();
    }
  })();

  return {
    status,
    ready: () => healthy && lastApply !== undefined,
    async settled() {
      // Let the input loop take what is buffered, then wait for the transaction(s) it scheduled.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      await chain;
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      clearTimeout(retryTimer);
      signalStop();
      iterator.return?.().catch(() => {});
      await done.catch(() => {});
      await chain;
    },
    removeTable: () => serial(() => applier.remove()),
    done,
    metrics,
  };
}
