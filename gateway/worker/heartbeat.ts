/**
 * The worker's pulse: a timer on its own event loop that reports load to the master. If the
 * loop blocks, the timer cannot fire and the master sees silence (a liveness check that needs no
 * temp file, unlike gunicorn's, which misfires on slow disks: gunicorn #1194).
 */
import { performance } from 'node:perf_hooks';
import type { WorkerLoad, WorkerMessage } from '../protocol.ts';

export interface Heartbeat {
  /** Counts a finished request in the metrics sent with the next beat. */
  observe(status: number, durationMs: number): void;
  /** Sends a last beat (so the master counts every request this worker served) and stops. */
  stop(): Promise<void>;
}

export function startHeartbeat(options: {
  intervalMs: number;
  load: () => Pick<WorkerLoad, 'requests' | 'inFlight' | 'webSockets' | 'streams'>;
  /** Sends over IPC; `sent` is called once the message has left. */
  send: (message: WorkerMessage, sent?: () => void) => void;
  metrics?: { observe(status: number, durationMs: number): void; snapshot(): unknown };
  /** Called with each beat's load (the memory-ceiling check). */
  onBeat?: (load: WorkerLoad) => void;
}): Heartbeat {
  let last = performance.eventLoopUtilization();
  const beat = (sent?: () => void) => {
    const now = performance.eventLoopUtilization();
    const elu = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const load: WorkerLoad = { ...options.load(), elu, rss: process.memoryUsage.rss() };
    options.send({ type: 'heartbeat', load, metrics: options.metrics?.snapshot() }, sent);
    options.onBeat?.(load);
  };
  beat();
  // The IPC channel and the server keep a worker alive, never its pulse (which would also keep a
  // worker under test from ending).
  const timer = setInterval(() => beat(), options.intervalMs).unref();
  return {
    observe: (status, durationMs) => options.metrics?.observe(status, durationMs),
    stop: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        beat(resolve);
      }),
  };
}
