/**
 * The Grafana dashboard (infra/monitoring/dashboard.json) is a dashboard Grafana can import, it has
 * the panels an operator looks for, and every query is PromQL that Prometheus parses: the queries go
 * through `promtool check rules` as recording rules. The metric names are held against a live
 * gateway's /metrics in test/gateway/metrics/dashboard.int.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { stringify } from 'yaml';
import { DASHBOARD_FILE, dashboardQueries, metricNames, withoutGrafanaVariables, type NamedQuery } from '../support/promql.ts';
import { runPromtool } from '../support/promtool.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'kit-dashboard-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** `promtool check rules` over the queries, each as a recording rule. */
async function checkQueries(queries: NamedQuery[]): Promise<{ ok: boolean; output: string }> {
  const rules = queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: withoutGrafanaVariables(q.expr) }));
  await writeFile(join(scratch, 'queries.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
  return runPromtool(['check', 'rules', 'queries.yaml'], scratch);
}

describe('the Grafana dashboard', () => {
  test('has a uid, a Prometheus datasource variable, and every panel on it', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD_FILE, 'utf8'));
    expect(dashboard.uid).toBe('ts-gateway-kit-gateway');
    expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    const titles = dashboard.panels.filter((p: { type: string }) => p.type !== 'row').map((p: { title: string }) => p.title);
    expect(titles).toEqual(expect.arrayContaining([
      'Request rate by status class', '5xx ratio', 'Latency (from the histogram)', 'Workers by state',
      'Event-loop utilisation', 'Worker exits by cause', 'Autoscaler target and bounds', 'Autoscaler decisions',
    ]));
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p: { type: string }) => p.type !== 'row')) {
      expect([panel.title, panel.datasource?.uid]).toEqual([panel.title, '${datasource}']);
    }
  });

  test('every query parses as PromQL (promtool check rules)', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(15);
    const { ok, output } = await checkQueries(queries);
    expect(output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(ok).toBe(true);
  });

  test('a broken query is caught', async () => {
    const { ok, output } = await checkQueries([{ where: 'broken', expr: 'sum by (class) (rate(gateway_requests_total[$__rate_interval])' }]);
    expect(ok).toBe(false);
    expect(output).toMatch(/unclosed left parenthesis|parse error/);
  });

  test('metricNames reads the metric names of the query shapes the dashboard uses', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(gateway_request_duration_seconds_bucket{job=~"$job", le!="x"}[$__rate_interval])))'))
      .toEqual(['gateway_request_duration_seconds_bucket']);
    expect(metricNames('gateway_event_loop_utilization_mean > 0.7 and gateway_workers_target >= gateway_workers_max'))
      .toEqual(['gateway_event_loop_utilization_mean', 'gateway_workers_target', 'gateway_workers_max']);
    expect(metricNames('(a < ignoring (state) b) unless ignoring (state) c == 1e3')).toEqual(['a', 'b', 'c']);
    expect(metricNames('sum(rate(x_total[5m])) by (cause) / on (instance) group_left (pod) y')).toEqual(['x_total', 'y']);
  });
});
