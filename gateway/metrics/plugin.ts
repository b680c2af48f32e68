/**
 * The master metrics plugged into the arbiter: heartbeats update a worker's snapshot, a worker that is
 * gone keeps its counts in the pool's totals, and every exit counts by cause.
 */
import type { ArbiterPlugins } from '../master/arbiter.ts';
import type { MasterMetrics } from './master-metrics.ts';

/** The `observe` member of ArbiterPlugins, feeding `metrics`. */
export function createMetricsPlugin(metrics: MasterMetrics): Required<Pick<ArbiterPlugins, 'observe'>> {
  return {
    observe(event) {
      switch (event.type) {
        case 'heartbeat':
          metrics.updateWorkerSnapshot(event.id, event.metrics);
          break;
        case 'gone':
          // Its last heartbeat's snapshot is the final word on what it served.
          if (event.metrics !== undefined) metrics.updateWorkerSnapshot(event.id, event.metrics);
          metrics.retireWorker(event.id);
          break;
        case 'exit':
          metrics.recordExit(event.cause);
          break;
      }
    },
  };
}
