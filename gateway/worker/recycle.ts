/**
 * When a worker asks to be replaced: after maxRequests (+ a per-worker random jitter, so the
 * pool does not recycle all at once) or when its RSS passes maxMemory. The master spawns the
 * replacement and waits for it to be ready before this worker drains.
 */
import type { RecycleReason, WorkerMessage } from '../protocol.ts';
import type { Settings } from '../settings/registry.ts';

export interface Recycler {
  afterRequest(requests: number): void;
}

export function createRecycler(
  settings: Pick<Settings, 'maxRequests' | 'maxRequestsJitter' | 'maxMemory'>,
  send: (message: WorkerMessage) => void,
  random: () => number = Math.random,
): Recycler & { checkMemory(rss: number): void } {
  const limit = settings.maxRequests > 0 ? settings.maxRequests + Math.floor(random() * (settings.maxRequestsJitter + 1)) : 0;
  let asked = false;
  const ask = (reason: RecycleReason) => {
    if (asked) return;
    asked = true;
    send({ type: 'recycle', reason });
  };
  return {
    afterRequest(requests) {
      if (limit > 0 && requests >= limit) ask('max-requests');
    },
    checkMemory(rss) {
      if (settings.maxMemory > 0 && rss > settings.maxMemory * 1024 * 1024) ask('max-memory');
    },
  };
}
