/**
 * What a worker counts about its requests. Each worker has its own prom-client Registry (never the
 * global one, which belongs to the app); `snapshot()` turns it into plain JSON for the heartbeat's
 * `metrics` field, and the master sums the snapshots of all workers (master-metrics.ts).
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { DURATION_BUCKETS, STATUS_CLASSES, WORKER_METRICS } from './definitions.ts';

/** `registry.getMetricsAsJSON()` output: plain data, safe for IPC (JSON serialisation). */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** The worker side of the metrics. */
export interface WorkerMetrics {
  /** One finished request: its HTTP status and how long it took in milliseconds. */
  observe(status: number, durationMs: number): void;
  /** Cumulative counts since the worker started, for the heartbeat message. */
  snapshot(): Promise<MetricsSnapshot>;
}

/** "2xx" for 204; statuses outside 100..599 count as 5xx (a broken response is a server error). */
export function statusClass(status: number): (typeof STATUS_CLASSES)[number] {
  const hundreds = Math.floor(status / 100);
  return hundreds >= 1 && hundreds <= 5 ? (`${hundreds}xx` as (typeof STATUS_CLASSES)[number]) : '5xx';
}

/** A fresh set of worker metrics in a private registry. */
export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  const requests = new Counter({ ...WORKER_METRICS.requests, labelNames: [...WORKER_METRICS.requests.labelNames], registers: [registry] });
  const duration = new Histogram({ ...WORKER_METRICS.duration, labelNames: [], buckets: DURATION_BUCKETS, registers: [registry] });
  // Every class present from the start, so the master's sum always has all five series.
  for (const cls of STATUS_CLASSES) requests.inc({ class: cls }, 0);
  return {
    observe(status, durationMs) {
      requests.inc({ class: statusClass(status) });
      duration.observe(durationMs / 1000);
    },
    snapshot: () => registry.getMetricsAsJSON(),
  };
}
