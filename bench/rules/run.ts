// Rules benchmark: full apply and a one-service delta at 1k, 10k and 100k services, ours (sets and maps, shared pick
// chains) against kube-proxy-style chain-per-service rules, both rendered as text and applied with one `nft -f` each,
// inside a throwaway network namespace. Run as root: node_modules/.bin/node bench/rules/run.ts [sizes...] [--no-peer]
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { nftRunner } from '../../src/agent/nft.ts';
import { commitPlan, planDelta } from '../../src/noderules/plan-delta.ts';
import { renderFull } from '../../src/noderules/render-full.ts';
import { buildState } from '../../src/noderules/state.ts';
import { PEER_TABLE, peerDelta, peerFull } from './kube-proxy-peer.ts';
import { nodeRulesOf, type SyntheticService, syntheticService } from './synthetic.ts';

const TABLE = 'clusterset-bench';
// The peer is superlinear (≈19 s at 10k on the reference machine); it is skipped where a linear projection from the
// previous size already exceeds this budget, and the ratio is then printed as a lower bound.
const PEER_BUDGET_MS = 150_000;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

async function main(): Promise<void> {
  const noPeer = process.argv.includes('--no-peer');
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  if (sizes.length === 0) sizes.push(1000, 10_000, 100_000);
  if (process.getuid?.() !== 0) throw new Error('bench/rules needs root (network namespaces and nft)');
  const netns = `cs-bench-${process.pid}`;
  execFileSync('ip', ['netns', 'add', netns]);
  const nft = nftRunner({ netns });
  const nftVersion = execFileSync('nft', ['--version']).toString().trim();
  console.log(
    `# bench/rules: ${nftVersion}, kernel ${execFileSync('uname', ['-r']).toString().trim()}, netns ${netns}`,
  );
  console.log('| services | ours full (render+nft) | peer full | ratio | ours 1-svc delta | peer delta | ratio |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  let lastPeer: { size: number; ms: number } | undefined;
  try {
    for (const size of sizes) {
      const services: SyntheticService[] = [];
      for (let i = 0; i < size; i++) services.push(syntheticService(i));
      const rules = services.map(nodeRulesOf);

      // Ours, full: build the state, render, apply; three restarts over the live table (the real restart path).
      const fullRuns: number[] = [];
      let renderMs = 0;
      let state = buildState(TABLE, rules, 1);
      for (let run = 0; run < 3; run++) {
        fullRuns.push(
          await timed(async () => {
            const r0 = performance.now();
            state = buildState(TABLE, rules, run + 1);
            const text = renderFull(state);
            renderMs = performance.now() - r0;
            await nft.apply(text);
          }),
        );
      }
      const oursFull = median(fullRuns);

      // Ours, delta: one service goes 2 → 3 → 2 endpoints (map elements, the count's pick chain once).
      const target = services[Math.floor(size / 2)]!;
      const deltaRuns: number[] = [];
      for (let run = 0; run < 6; run++) {
        const next = syntheticService(target.index, run % 2 === 0 ? 3 : 2);
        deltaRuns.push(
          await timed(async () => {
            const plan = planDelta(state, new Map([[nodeRulesOf(next).key, nodeRulesOf(next)]]));
            await nft.apply(plan.text);
            commitPlan(state, plan);
          }),
        );
      }
      const oursDelta = median(deltaRuns.slice(1));
      await nft.apply(`delete table inet ${TABLE}\n`);

      // Peer.
      let peerFullMs: number | undefined;
      let peerDeltaMs: number | undefined;
      const projected = lastPeer === undefined ? 0 : (lastPeer.ms * size) / lastPeer.size;
      if (!noPeer && projected <= PEER_BUDGET_MS) {
        const text = peerFull(services);
        peerFullMs = await timed(() => nft.apply(text));
        const runs: number[] = [];
        for (let run = 0; run < 5; run++) {
          const before = syntheticService(target.index, run % 2 === 0 ? 2 : 3);
          const after = syntheticService(target.index, run % 2 === 0 ? 3 : 2);
          runs.push(await timed(() => nft.apply(peerDelta(before, after))));
        }
        peerDeltaMs = median(runs);
        await nft.apply(`delete table ip ${PEER_TABLE}\n`);
        lastPeer = { size, ms: peerFullMs };
      }
      const fullCell = peerFullMs === undefined ? `not run (≥ ${fmt(projected)} projected)` : fmt(peerFullMs);
      const fullRatio =
        peerFullMs === undefined ? `≥ ${(projected / oursFull).toFixed(0)}×` : `${(peerFullMs / oursFull).toFixed(1)}×`;
      const deltaCell = peerDeltaMs === undefined ? 'not run' : fmt(peerDeltaMs);
      const deltaRatio = peerDeltaMs === undefined ? '—' : `${(peerDeltaMs / oursDelta).toFixed(1)}×`;
      console.log(
        `| ${size} | ${fmt(oursFull)} ms (${fmt(renderMs)} render) | ${fullCell} ms | ${fullRatio} | ${fmt(oursDelta)} ms | ${deltaCell} ms | ${deltaRatio} |`,
      );
    }
  } finally {
    execFileSync('ip', ['netns', 'del', netns]);
  }
  console.log('# targets: 10k full ≤ 250 ms, 100k full ≤ 3000 ms, 1-service delta ≤ 10 ms at any size');
}

await main();
