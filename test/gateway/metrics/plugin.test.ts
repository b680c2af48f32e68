import { createMasterMetrics } from '../../../gateway/metrics/master-metrics.ts';
import { createMetricsPlugin } from '../../../gateway/metrics/plugin.ts';
import { createWorkerMetrics } from '../../../gateway/metrics/worker-metrics.ts';
import type { PoolStatus } from '../../../gateway/protocol.ts';
import { parsePrometheus, sampleValue } from './parse-prometheus.ts';

const empty: PoolStatus = { master: { pid: 1, startedAt: 0, version: 't' }, target: 1, minWorkers: 1, maxWorkers: 1, draining: false, workers: [], restarts: {} };

test('arbiter events keep request totals across a worker that is gone and count its exit', async () => {
  const metrics = createMasterMetrics();
  const plugin = createMetricsPlugin(metrics);
  const worker = createWorkerMetrics();
  worker.observe(200, 1);
  plugin.observe({ type: 'heartbeat', id: 1, metrics: worker.snapshot() });
  worker.observe(200, 1);
  worker.observe(500, 1);
  // The exit carries the last snapshot the master holds (here newer than the last heartbeat it saw).
  plugin.observe({ type: 'exit', cause: 'recycle' });
  plugin.observe({ type: 'gone', id: 1, metrics: worker.snapshot() });
  const families = parsePrometheus(await metrics.render(empty));
  expect(sampleValue(families, 'gateway_requests_total', { class: '2xx' })).toBe(2);
  expect(sampleValue(families, 'gateway_requests_total', { class: '5xx' })).toBe(1);
  expect(sampleValue(families, 'gateway_worker_exits_total', { cause: 'recycle' })).toBe(1);
});
