/**
 * The master's /metrics: the workers' request counters summed across the pool, plus what only the
 * master knows (workers by state, target, exits by cause, autoscaler decisions, per-worker load).
 *
 * Counters must not drop when a worker dies: the master keeps the latest snapshot of each live worker
 * and folds the last snapshot of every worker that left into one "retired" snapshot, so the sum over
 * the pool stays monotonic (prom-client's AggregatorRegistry.aggregate does the summing). Requests a
 * worker finished after its last heartbeat are lost with it; a worker that drains should send one
 * last heartbeat before it exits.
 */
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import type { PrometheusContentType } from 'prom-client';
import type { ExitCause, PoolStatus } from '../protocol.ts';
import type { ScaleDecision } from '../autoscale/policy.ts';
import { EXIT_CAUSES, MASTER_METRICS, SCALE_DECISIONS, WORKER_METRICS, WORKER_STATES } from './definitions.ts';
import type { MetricSpec } from './definitions.ts';
import { createWorkerMetrics } from './worker-metrics.ts';
import type { MetricsSnapshot } from './worker-metrics.ts';

/** The master side of the metrics; the master loop calls these, the admin listener calls `render`. */
export interface MasterMetrics {
  /** A worker left the pool (the restarts counter). */
  recordExit(cause: ExitCause): void;
  /** One autoscaler tick. */
  recordDecision(decision: ScaleDecision): void;
  /** The latest cumulative snapshot from a worker's heartbeat; `id` must be unique per process. */
  updateWorkerSnapshot(id: number, snapshot: unknown): void;
  /** The worker is gone: keep its last counts in the pool's totals. */
  retireWorker(id: number): void;
  /** Prometheus text for GET /metrics. */
  render(status: PoolStatus): Promise<string>;
  /** The Content-Type of `render`'s output. */
  readonly contentType: string;
}

const gauge = (spec: MetricSpec, registry: Registry) => new Gauge({ ...spec, labelNames: [...spec.labelNames], registers: [registry] });
const counter = (spec: MetricSpec, registry: Registry) => new Counter({ ...spec, labelNames: [...spec.labelNames], registers: [registry] });

/** A heartbeat's `metrics` field is untrusted input: keep only entries that look like prom-client JSON. */
function asSnapshot(value: unknown): MetricsSnapshot | null {
  if (!Array.isArray(value)) return null;
  const ok = value.every((m) => typeof m === 'object' && m !== null && typeof m.name === 'string' && Array.isArray(m.values));
  return ok ? (value as MetricsSnapshot) : null;
}

function requestTotal(snapshot: MetricsSnapshot): number {
  const metric = snapshot.find((m) => m.name === WORKER_METRICS.requests.name);
  return metric ? metric.values.reduce((sum, v) => sum + v.value, 0) : 0;
}

/** A fresh master registry, with every labelled series present at zero. */
export function createMasterMetrics(): MasterMetrics {
  const registry = new Registry();
  const m = {
    workers: gauge(MASTER_METRICS.workers, registry),
    target: gauge(MASTER_METRICS.target, registry),
    minWorkers: gauge(MASTER_METRICS.minWorkers, registry),
    maxWorkers: gauge(MASTER_METRICS.maxWorkers, registry),
    draining: gauge(MASTER_METRICS.draining, registry),
    elu: gauge(MASTER_METRICS.elu, registry),
    eluMean: gauge(MASTER_METRICS.eluMean, registry),
    inFlight: gauge(MASTER_METRICS.inFlight, registry),
    rss: gauge(MASTER_METRICS.rss, registry),
    webSockets: gauge(MASTER_METRICS.webSockets, registry),
    streams: gauge(MASTER_METRICS.streams, registry),
    restarts: counter(MASTER_METRICS.restarts, registry),
    decisions: counter(MASTER_METRICS.decisions, registry),
  };
  for (const cause of EXIT_CAUSES) m.restarts.inc({ cause }, 0);
  for (const decision of SCALE_DECISIONS) m.decisions.inc({ decision }, 0);

  const live = new Map<number, MetricsSnapshot>();
  // Starts as an all-zero worker snapshot, so /metrics has every request series before any traffic.
  let retired: MetricsSnapshot = createWorkerMetrics().snapshot();
  const fold = async (snapshot: MetricsSnapshot) => {
    retired = await AggregatorRegistry.aggregate([retired, snapshot]).getMetricsAsJSON();
  };
  // Folding is async; chain it so a render never sees a worker both retired and live, or neither.
  let pending: Promise<void> = Promise.resolve();

  return {
    contentType: registry.contentType,
    recordExit: (cause) => m.restarts.inc({ cause }),
    recordDecision: (decision) => m.decisions.inc({ decision }),
    updateWorkerSnapshot(id, value) {
      const snapshot = asSnapshot(value);
      if (!snapshot) return;
      const previous = live.get(id);
      // A smaller total under the same id is a new process: keep the old one's counts.
      if (previous && requestTotal(snapshot) < requestTotal(previous)) {
        pending = pending.then(() => fold(previous));
      }
      live.set(id, snapshot);
    },
    retireWorker(id) {
      const snapshot = live.get(id);
      if (!snapshot) return;
      live.delete(id);
      pending = pending.then(() => fold(snapshot));
    },
    async render(status) {
      const states = new Map(WORKER_STATES.map((s) => [s, 0]));
      for (const w of status.workers) states.set(w.state, (states.get(w.state) ?? 0) + 1);
      for (const [state, count] of states) m.workers.set({ state }, count);
      m.target.set(status.target);
      m.minWorkers.set(status.minWorkers);
      m.maxWorkers.set(status.maxWorkers);
      m.draining.set(status.draining ? 1 : 0);
      // Worker ids never repeat: drop the gone ones so the label set stays the live pool.
      for (const g of [m.elu, m.inFlight, m.rss, m.webSockets, m.streams]) g.reset();
      for (const w of status.workers) {
        const worker = String(w.id);
        m.elu.set({ worker }, w.elu);
        m.inFlight.set({ worker }, w.inFlight);
        m.rss.set({ worker }, w.rss);
        m.webSockets.set({ worker }, w.webSockets ?? 0);
        m.streams.set({ worker }, w.streams ?? 0);
      }
      const ready = status.workers.filter((w) => w.state === 'ready');
      m.eluMean.set(ready.length ? ready.reduce((sum, w) => sum + w.elu, 0) / ready.length : 0);

      await pending;
      const workers = AggregatorRegistry.aggregate<PrometheusContentType>([retired, ...live.values()]);
      return Registry.merge([workers, registry]).metrics();
    },
  };
}
