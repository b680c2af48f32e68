/**
 * Every query of the Grafana dashboard and of the alert rules reads metrics that a real gateway's
 * /metrics serves (a pool of two workers on port 0, after some requests), and the dashboard shows
 * every gateway metric there is. A renamed metric in the gateway or a typo in a query fails here.
 */
import { alertQueries, dashboardQueries, metricNames, type NamedQuery } from '../../support/promql.ts';
import { load, settled, startGateway, fixture, type GatewayProcess } from '../integration/gateway-process.ts';
import { parsePrometheus, type Family } from './parse-prometheus.ts';

/** Series names a family puts on the wire (a histogram's _bucket, _sum and _count). */
function seriesNames(family: Family): string[] {
  return family.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => family.name + s) : [family.name];
}

/** `where: name` for every metric a query reads that is not served. */
function unknownNames(queries: NamedQuery[], served: Set<string>): string[] {
  return queries.flatMap((q) => metricNames(q.expr).filter((name) => !served.has(name)).map((name) => `${q.where}: ${name}`));
}

let gw: GatewayProcess;
let families: Map<string, Family>;
let served: Set<string>;

beforeAll(async () => {
  gw = await startGateway([fixture('gateway/ops-app.ts'), '--workers', '2', '--no-access-log']);
  await gw.waitFor(settled);
  expect((await load(`${gw.url}/`, 20, 4)).ok).toBe(20);
  families = parsePrometheus(await (await fetch(`${gw.admin}/metrics`)).text());
  served = new Set([...families.values()].flatMap(seriesNames));
});
afterAll(async () => {
  await gw?.stop();
});

test('the live /metrics has the request histogram and the pool gauges the queries rely on', () => {
  expect(families.get('gateway_request_duration_seconds')?.type).toBe('histogram');
  expect(served.has('gateway_workers')).toBe(true);
});

test('every dashboard query names metrics, all of them served', () => {
  const queries = dashboardQueries();
  expect(queries.filter((q) => metricNames(q.expr).length === 0).map((q) => q.where)).toEqual([]);
  expect(unknownNames(queries, served)).toEqual([]);
});

test('every alert rule reads served metrics', () => {
  const queries = alertQueries();
  expect(queries).toHaveLength(5);
  expect(unknownNames(queries, served)).toEqual([]);
});

test('the dashboard shows every gateway metric the live /metrics serves', () => {
  const shown = new Set(dashboardQueries().flatMap((q) => metricNames(q.expr)));
  const gatewayFamilies = [...families.values()].filter((f) => f.name.startsWith('gateway_'));
  expect(gatewayFamilies.length).toBeGreaterThan(10);
  expect(gatewayFamilies.filter((f) => !seriesNames(f).some((name) => shown.has(name))).map((f) => f.name)).toEqual([]);
});

test('a query naming a metric the gateway does not serve is reported', () => {
  const typo = [{ where: 'panel "x" A', expr: 'sum(rate(gateway_request_total[5m])) / sum(rate(gateway_requests_total[5m]))' }];
  expect(unknownNames(typo, served)).toEqual(['panel "x" A: gateway_request_total']);
});
