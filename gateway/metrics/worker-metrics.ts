/**
 * What a worker counts about its requests, and the snapshot it ships with every heartbeat.
 *
 * The snapshot has exactly the shape of prom-client's `registry.getMetricsAsJSON()` (a test checks it
 * against prom-client fed the same requests), so the master sums snapshots with prom-client's
 * AggregatorRegistry. The worker counts in plain numbers instead of a prom-client Registry because the
 * heartbeat is sent synchronously from a timer and prom-client only answers asynchronously; plain
 * counters are also cheaper per request than label hashing, and they never touch the global registry,
 * which belongs to the app.
 */
import type { Registry } from 'prom-client';
import { DURATION_BUCKETS, STATUS_CLASSES, WORKER_METRICS } from './definitions.ts';

/** `registry.getMetricsAsJSON()` output: plain data, safe for IPC (JSON serialisation). */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

type StatusClass = (typeof STATUS_CLASSES)[number];

/** The worker side of the metrics. */
export interface WorkerMetrics {
  /** One finished request: its HTTP status and how long it took in milliseconds. */
  observe(status: number, durationMs: number): void;
  /** Cumulative counts since the worker started, for the heartbeat message. */
  snapshot(): MetricsSnapshot;
}

/** Position in STATUS_CLASSES: 204 → 1 ("2xx"); statuses outside 100..599 count as 5xx (a broken response is a server error). */
function statusIndex(status: number): number {
  const hundreds = Math.floor(status / 100);
  return hundreds >= 1 && hundreds <= 5 ? hundreds - 1 : 4;
}

/** "2xx" for 204; statuses outside 100..599 count as 5xx. */
export function statusClass(status: number): StatusClass {
  return STATUS_CLASSES[statusIndex(status)]!;
}

/** Fresh, all-zero worker metrics. */
export function createWorkerMetrics(): WorkerMetrics {
  // Indexed like STATUS_CLASSES; plain arrays because observe() runs on every request.
  const requests = STATUS_CLASSES.map(() => 0);
  // Per-bucket (not cumulative) counts; the last slot is +Inf.
  const buckets = new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
  let sum = 0;
  let count = 0;
  const { requests: req, duration: dur } = WORKER_METRICS;

  return {
    observe(status, durationMs) {
      requests[statusIndex(status)]! += 1;
      const seconds = durationMs / 1000;
      let slot = 0;
      while (slot < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[slot]!) slot++;
      buckets[slot]! += 1;
      sum += seconds;
      count += 1;
    },
    snapshot() {
      let cumulative = 0;
      const bucketValues = buckets.map((n, i) => {
        cumulative += n;
        const le = DURATION_BUCKETS[i] ?? '+Inf';
        return { value: cumulative, metricName: `${dur.name}_bucket`, exemplar: null, labels: { le } };
      });
      return [
        {
          name: req.name,
          help: req.help,
          type: 'counter',
          aggregator: 'sum',
          values: STATUS_CLASSES.map((cls, i) => ({ value: requests[i]!, labels: { class: cls } })),
        },
        {
          name: dur.name,
          help: dur.help,
          type: 'histogram',
          aggregator: 'sum',
          values: [...bucketValues, { value: sum, metricName: `${dur.name}_sum`, labels: {} }, { value: count, metricName: `${dur.name}_count`, labels: {} }],
        },
      ] as unknown as MetricsSnapshot;
    },
  };
}
