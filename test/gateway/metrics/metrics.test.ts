import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { DURATION_BUCKETS, MASTER_METRICS, STATUS_CLASSES, WORKER_METRICS } from '../../../gateway/metrics/definitions.ts';
import { createMasterMetrics } from '../../../gateway/metrics/master-metrics.ts';
import { createWorkerMetrics, statusClass } from '../../../gateway/metrics/worker-metrics.ts';
import type { PoolStatus, WorkerStatus } from '../../../gateway/protocol.ts';
import { parsePrometheus, sampleValue } from './parse-prometheus.ts';

const worker = (id: number, patch: Partial<WorkerStatus> = {}): WorkerStatus => ({
  id,
  pid: 1000 + id,
  state: 'ready',
  startedAt: 0,
  lastSeenMs: 100,
  generation: 1,
  requests: 0,
  inFlight: 0,
  elu: 0.5,
  rss: 50e6,
  ...patch,
});

const pool = (workers: WorkerStatus[], patch: Partial<PoolStatus> = {}): PoolStatus => ({
  master: { pid: 1, startedAt: 0, version: 'test' },
  target: workers.length,
  minWorkers: 1,
  maxWorkers: 4,
  draining: false,
  workers,
  restarts: {},
  ...patch,
});

/** Simulates IPC: the snapshot goes through JSON like a heartbeat message. */
const overIpc = (metrics: ReturnType<typeof createWorkerMetrics>) => JSON.parse(JSON.stringify(metrics.snapshot())) as unknown;

describe('statusClass', () => {
  test.each([
    [101, '1xx'],
    [204, '2xx'],
    [304, '3xx'],
    [404, '4xx'],
    [504, '5xx'],
    [0, '5xx'],
    [999, '5xx'],
  ])('%i → %s', (status, cls) => expect(statusClass(status)).toBe(cls));
});

describe('worker snapshot', () => {
  test('is what prom-client itself reports for the same requests', async () => {
    const requests: Array<[number, number]> = [[200, 3], [200, 5], [201, 5000], [404, 0.2], [500, 12_000], [302, 250], [0, 1]];
    const ours = createWorkerMetrics();
    const registry = new Registry();
    const counter = new Counter({ ...WORKER_METRICS.requests, labelNames: ['class'], registers: [registry] });
    const histogram = new Histogram({ ...WORKER_METRICS.duration, buckets: DURATION_BUCKETS, registers: [registry] });
    for (const cls of STATUS_CLASSES) counter.inc({ class: cls }, 0);
    for (const [status, ms] of requests) {
      ours.observe(status, ms);
      counter.inc({ class: statusClass(status) });
      histogram.observe(ms / 1000);
    }
    const expected = await registry.getMetricsAsJSON();
    expect(ours.snapshot()).toEqual(expected);
    // And both render to the same exposition text once aggregated.
    expect(await AggregatorRegistry.aggregate([ours.snapshot()]).metrics()).toBe(await AggregatorRegistry.aggregate([expected]).metrics());
  });
});

describe('master /metrics aggregated across workers', () => {
  test('sums requests and latency of all workers, and parses as Prometheus text', async () => {
    const master = createMasterMetrics();
    const a = createWorkerMetrics();
    const b = createWorkerMetrics();
    a.observe(200, 12);
    a.observe(404, 3);
    b.observe(200, 700);
    b.observe(503, 40);
    master.updateWorkerSnapshot(1, await overIpc(a));
    master.updateWorkerSnapshot(2, await overIpc(b));
    const text = await master.render(pool([worker(1, { elu: 0.2 }), worker(2, { elu: 0.6, state: 'booting' })]));
    const families = parsePrometheus(text);

    expect(sampleValue(families, WORKER_METRICS.requests.name, { class: '2xx' })).toBe(2);
    expect(sampleValue(families, WORKER_METRICS.requests.name, { class: '4xx' })).toBe(1);
    expect(sampleValue(families, WORKER_METRICS.requests.name, { class: '5xx' })).toBe(1);
    expect(sampleValue(families, `${WORKER_METRICS.duration.name}_count`)).toBe(4);
    expect(sampleValue(families, `${WORKER_METRICS.duration.name}_bucket`, { le: '0.5' })).toBe(3);
    expect(sampleValue(families, MASTER_METRICS.workers.name, { state: 'ready' })).toBe(1);
    expect(sampleValue(families, MASTER_METRICS.workers.name, { state: 'booting' })).toBe(1);
    expect(sampleValue(families, MASTER_METRICS.elu.name, { worker: '2' })).toBe(0.6);
    // The mean is over ready workers only: the signal the autoscaler uses.
    expect(sampleValue(families, MASTER_METRICS.eluMean.name)).toBe(0.2);
    expect(master.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    // Every metric in the tables is served, with the type its definition implies.
    for (const spec of [...Object.values(WORKER_METRICS), ...Object.values(MASTER_METRICS)]) {
      expect(families.get(spec.name)?.help).toBe(spec.help);
    }
    expect(families.get(WORKER_METRICS.duration.name)?.type).toBe('histogram');
    expect(families.get(MASTER_METRICS.restarts.name)?.type).toBe('counter');
  });

  test('counters stay monotonic when a worker dies and its replacement starts from zero', async () => {
    const master = createMasterMetrics();
    const first = createWorkerMetrics();
    for (let i = 0; i < 5; i += 1) first.observe(200, 5);
    master.updateWorkerSnapshot(1, await overIpc(first));
    const before = parsePrometheus(await master.render(pool([worker(1)])));
    expect(sampleValue(before, WORKER_METRICS.requests.name, { class: '2xx' })).toBe(5);

    // Worker 1 crashes; worker 2 replaces it and serves one request.
    master.retireWorker(1);
    master.recordExit('crash');
    const second = createWorkerMetrics();
    second.observe(200, 5);
    master.updateWorkerSnapshot(2, await overIpc(second));
    const after = parsePrometheus(await master.render(pool([worker(2)])));
    expect(sampleValue(after, WORKER_METRICS.requests.name, { class: '2xx' })).toBe(6);
    expect(sampleValue(after, `${WORKER_METRICS.duration.name}_count`)).toBe(6);
    expect(sampleValue(after, MASTER_METRICS.restarts.name, { cause: 'crash' })).toBe(1);
    expect(sampleValue(after, MASTER_METRICS.restarts.name, { cause: 'timeout' })).toBe(0);
    // The dead worker's per-worker gauges are gone.
    expect(sampleValue(after, MASTER_METRICS.elu.name, { worker: '1' })).toBeUndefined();
  });

  test('a new process reporting under a reused id does not erase the old counts', async () => {
    const master = createMasterMetrics();
    const old = createWorkerMetrics();
    for (let i = 0; i < 3; i += 1) old.observe(500, 1);
    master.updateWorkerSnapshot(7, await overIpc(old));
    const fresh = createWorkerMetrics();
    fresh.observe(500, 1);
    master.updateWorkerSnapshot(7, await overIpc(fresh));
    const families = parsePrometheus(await master.render(pool([worker(7)])));
    expect(sampleValue(families, WORKER_METRICS.requests.name, { class: '5xx' })).toBe(4);
  });

  test('before any heartbeat every series exists at zero; junk heartbeat metrics are ignored', async () => {
    const master = createMasterMetrics();
    master.updateWorkerSnapshot(1, { not: 'a snapshot' });
    master.recordDecision('up');
    master.recordDecision('hold');
    master.recordDecision('hold');
    const families = parsePrometheus(await master.render(pool([], { target: 2, draining: true })));
    expect(sampleValue(families, WORKER_METRICS.requests.name, { class: '2xx' })).toBe(0);
    expect(sampleValue(families, MASTER_METRICS.decisions.name, { decision: 'hold' })).toBe(2);
    expect(sampleValue(families, MASTER_METRICS.decisions.name, { decision: 'down' })).toBe(0);
    expect(sampleValue(families, MASTER_METRICS.target.name)).toBe(2);
    expect(sampleValue(families, MASTER_METRICS.draining.name)).toBe(1);
  });
});
