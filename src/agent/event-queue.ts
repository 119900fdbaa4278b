// A small push → async-iterable queue: the seam between whatever produces cluster events (the reflector, a test)
// and the agent's input.
import type { AgentEvent, AgentInput } from './input.ts';

export interface EventQueue extends AgentInput {
  push(event: AgentEvent): void;
  end(): void;
}

export function createEventQueue(): EventQueue {
  const buffer: AgentEvent[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  return {
    push(event) {
      if (ended) return;
      buffer.push(event);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = buffer.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}
