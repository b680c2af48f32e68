/**
 * Every metric the gateway exports, as data: one table for what workers count, one for what the
 * master knows. docs/metrics.md lists the same table; a test checks the two agree with /metrics.
 */
import type { ExitCause, WorkerState } from '../protocol.ts';
import type { ScaleDecision } from '../autoscale/policy.ts';

/** A metric's name, help text and label names. */
export interface MetricSpec {
  name: string;
  help: string;
  labelNames: readonly string[];
}

/** Counted inside each worker, shipped with the heartbeat, summed by the master. */
export const WORKER_METRICS = {
  requests: {
    name: 'gateway_requests_total',
    help: 'Requests answered by the workers, by status class (1xx..5xx).',
    labelNames: ['class'],
  },
  duration: {
    name: 'gateway_request_duration_seconds',
    help: 'Time from the request reaching a worker to the response being finished.',
    labelNames: [],
  },
} as const satisfies Record<string, MetricSpec>;

/** Kept by the master from its own bookkeeping and the pool status. */
export const MASTER_METRICS = {
  workers: { name: 'gateway_workers', help: 'Workers by state.', labelNames: ['state'] },
  target: { name: 'gateway_workers_target', help: 'Serving workers the master is steering towards.', labelNames: [] },
  minWorkers: { name: 'gateway_workers_min', help: 'Lower bound of the pool (minWorkers).', labelNames: [] },
  maxWorkers: { name: 'gateway_workers_max', help: 'Upper bound of the pool (maxWorkers).', labelNames: [] },
  draining: { name: 'gateway_draining', help: '1 from the moment a TERM/INT/QUIT arrives.', labelNames: [] },
  elu: {
    name: 'gateway_worker_event_loop_utilization',
    help: 'Event-loop utilisation (0..1) of each live worker over its last heartbeat interval.',
    labelNames: ['worker'],
  },
  eluMean: {
    name: 'gateway_event_loop_utilization_mean',
    help: 'Mean event-loop utilisation of the ready workers: the autoscaler signal.',
    labelNames: [],
  },
  inFlight: { name: 'gateway_worker_requests_in_flight', help: 'Requests in flight in each live worker.', labelNames: ['worker'] },
  webSockets: { name: 'gateway_worker_websockets_open', help: 'Open WebSockets (upgraded connections) in each live worker.', labelNames: ['worker'] },
  streams: { name: 'gateway_worker_streams_open', help: 'Streamed responses (text/event-stream) in flight in each live worker.', labelNames: ['worker'] },
  rss: { name: 'gateway_worker_resident_memory_bytes', help: 'Resident set size of each live worker.', labelNames: ['worker'] },
  restarts: { name: 'gateway_worker_exits_total', help: 'Workers that left the pool, by cause.', labelNames: ['cause'] },
  decisions: { name: 'gateway_autoscale_decisions_total', help: 'Autoscaler ticks, by decision.', labelNames: ['decision'] },
} as const satisfies Record<string, MetricSpec>;

/** Label values that exist from the start, so a rate() over them never sees a missing series. */
export const WORKER_STATES: readonly WorkerState[] = ['booting', 'ready', 'draining', 'killed'];
export const EXIT_CAUSES: readonly ExitCause[] = ['crash', 'timeout', 'recycle', 'scale-down', 'reload', 'shutdown', 'boot-failure'];
export const SCALE_DECISIONS: readonly ScaleDecision[] = ['up', 'down', 'hold'];
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Request duration buckets in seconds: prom-client's defaults, which suit web requests (5 ms .. 10 s). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
