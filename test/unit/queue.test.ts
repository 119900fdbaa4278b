import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/sync/queue.ts';

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.depth).toBe(2);
    expect(await q.next()).toBe('a');
    expect(await q.next()).toBe('b');
  });

  it('never hands out a key being processed, and processes it again when added meanwhile', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const k = await q.next();
    q.add('a');
    expect(q.depth).toBe(0);
    let second: string | undefined;
    const waiting = q.next().then((v) => {
      second = v;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(second).toBeUndefined();
    q.done(k!);
    await waiting;
    expect(second).toBe('a');
  });

  it('backs off per key, exponentially, and forgets after success', async () => {
    let now = 0;
    const q = new WorkQueue<string>({ baseDelayMs: 10, maxDelayMs: 1000, random: () => 1, now: () => now });
    q.addRateLimited('x');
    expect(q.failures('x')).toBe(1);
    expect(q.depth).toBe(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(q.depth).toBe(1);
    await q.next();
    q.done('x');
    now += 1000;
    q.addRateLimited('x');
    q.addRateLimited('x'); // one timer per key: the second add is folded into the first
    expect(q.failures('x')).toBe(3);
    q.forget('x');
    expect(q.failures('x')).toBe(0);
    q.close();
  });

  it('limits the overall retry rate with a token bucket', async () => {
    let now = 0;
    const q = new WorkQueue<number>({ baseDelayMs: 1, retryRate: 1, retryBurst: 2, random: () => 0, now: () => now });
    for (let i = 0; i < 4; i++) q.addRateLimited(i);
    await new Promise((r) => setTimeout(r, 50));
    expect(q.depth).toBe(2); // the burst; the next two wait for tokens
    now += 10_000;
    q.close();
  });

  it('reports idleness and wakes waiters on close', async () => {
    const q = new WorkQueue<string>();
    expect(q.idle()).toBe(true);
    const p = q.next();
    q.close();
    expect(await p).toBeUndefined();
  });
});
