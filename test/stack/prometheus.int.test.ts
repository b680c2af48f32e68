/**
 * `npm start -- --prometheus` for real: the stack starts Debian's Prometheus and nginx exporter
 * beside its tiers, Prometheus scrapes both tiers on loopback, loads infra/monitoring/alerts.yaml
 * and evaluates it, every query of the Grafana dashboard returns data once traffic has gone through
 * nginx, and Ctrl-C stops Prometheus and the exporter with the rest.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertQueries, dashboardQueries, withoutGrafanaVariables } from '../support/promql.ts';
import { freePorts } from '../support/net.ts';
import { discardStack, startStack, type RunningStack } from './stack-process.ts';

let stack: RunningStack;
let prometheus: string;
let exporterPort: number;

interface ApiAnswer<T> { status: string; data: T }
async function api<T>(path: string): Promise<T> {
  const answer = (await (await fetch(`${prometheus}/api/v1/${path}`)).json()) as ApiAnswer<T>;
  expect(answer.status).toBe('success');
  return answer.data;
}

/** Polls until `check` holds (scrapes and rule evaluations come every 5 s), or fails with the last value. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms; last: ${JSON.stringify(value).slice(0, 3000)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  const [prometheusPort, metricsPort, statusPort, exporter] = (await freePorts(4)) as [number, number, number, number];
  exporterPort = exporter;
  prometheus = `http://127.0.0.1:${prometheusPort}`;
  stack = await startStack([
    '--prometheus', '--prometheus-port', String(prometheusPort), '--metrics-port', String(metricsPort),
    '--nginx-status-port', String(statusPort), '--exporter-port', String(exporterPort), '--min-workers', '2', '--max-workers', '2',
  ], { timeoutMs: 120_000 });
  for (let i = 0; i < 40; i += 1) expect((await fetch(`${stack.site}/`)).status).toBe(200);
}, 180_000);

afterAll(() => discardStack(stack));

test('the stack says where Prometheus is, and its config scrapes the gateway\'s metrics port and the exporter with the alert rules', () => {
  expect(stack.output()).toContain(`prometheus: ${prometheus}`);
  const config = readFileSync(join(stack.runDir, 'prometheus', 'prometheus.yml'), 'utf8');
  expect(config).toContain(join('infra', 'monitoring', 'alerts.yaml'));
  expect(existsSync(join(stack.runDir, 'prometheus', 'data'))).toBe(true);
});

test('both tiers are scraped and up', async () => {
  const targets = await eventually(
    () => api<{ activeTargets: { labels: { job: string }; health: string }[] }>('targets'),
    (t) => t.activeTargets.length === 2 && t.activeTargets.every((target) => target.health === 'up'),
  );
  expect(targets.activeTargets.map((t) => t.labels.job).sort()).toEqual(['gateway', 'nginx']);
}, 90_000);

test('every dashboard query returns data from the live stack', async () => {
  const queries = dashboardQueries();
  const empty = async () => {
    const results = await Promise.all(queries.map(async (q) => {
      const data = await api<{ result: unknown[] }>(`query?query=${encodeURIComponent(withoutGrafanaVariables(q.expr))}`);
      return data.result.length === 0 ? q.where : undefined;
    }));
    return results.filter((where) => where !== undefined);
  };
  expect(await eventually(empty, (missing) => missing.length === 0, 90_000)).toEqual([]);
  // The counts are the traffic: nginx answered at least the 40 requests sent, the gateway served them.
  const served = await api<{ result: { value: [number, string] }[] }>(`query?query=${encodeURIComponent('sum(gateway_requests_total{class="2xx"})')}`);
  expect(Number(served.result[0]!.value[1])).toBeGreaterThanOrEqual(40);
  const nginx = await api<{ result: { value: [number, string] }[] }>(`query?query=${encodeURIComponent('sum(nginx_http_requests_total)')}`);
  expect(Number(nginx.result[0]!.value[1])).toBeGreaterThanOrEqual(40);
}, 120_000);

test('the alert rules are loaded from the same file and evaluate without errors, and none fires on a healthy stack', async () => {
  type Rules = { groups: { file: string; rules: { name: string; type: string; health: string; state: string; lastError?: string }[] }[] };
  const rules = await eventually(() => api<Rules>('rules'), (r) => r.groups.flatMap((g) => g.rules).every((rule) => rule.health === 'ok') && r.groups.length > 0);
  const alerting = rules.groups.flatMap((g) => g.rules).filter((r) => r.type === 'alerting');
  expect(alerting.map((r) => r.name).sort()).toEqual(alertQueries().map((q) => q.where.replace(/^alert /, '')).sort());
  expect(alerting.map((r) => [r.name, r.health, r.lastError ?? ''])).toEqual(alerting.map((r) => [r.name, 'ok', '']));
  expect(rules.groups.every((g) => g.file.endsWith(join('infra', 'monitoring', 'alerts.yaml')))).toBe(true);
  expect(alerting.filter((r) => r.state === 'firing').map((r) => r.name)).toEqual([]);
}, 90_000);

test('Ctrl-C stops Prometheus and the exporter with the stack', async () => {
  stack.child.kill('SIGINT');
  expect(await stack.exited).toBe(0);
  expect(stack.output()).toContain('[stack] stopped');
  for (const url of [`${prometheus}/-/ready`, `http://127.0.0.1:${exporterPort}/metrics`]) {
    expect([url, await fetch(url).then(() => 'answers', () => 'refused')]).toEqual([url, 'refused']);
  }
}, 60_000);
