/**
 * Every query of the Grafana dashboard and of the alert rules reads metrics that are really served:
 * a real gateway's /metrics (a pool of two workers on port 0) and, for the static tier, Debian's
 * nginx exporter reading the stack spec's nginx in front of that gateway, after some requests
 * through nginx. The dashboard shows every gateway_* and nginx_* metric there is. A renamed metric
 * or a typo in a query fails here.
 */
import { alertQueries, dashboardQueries, metricNames, type NamedQuery } from '../../support/promql.ts';
import { load, settled, startGateway, fixture, type GatewayProcess } from '../integration/gateway-process.ts';
import { parsePrometheus, type Family } from './parse-prometheus.ts';
import { startStaticTier, type StaticTier } from '../../support/static-tier.ts';

/** Series names a family puts on the wire (a histogram's _bucket, _sum and _count). */
function seriesNames(family: Family): string[] {
  return family.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => family.name + s) : [family.name];
}

/** `where: name` for every metric a query reads that is not served. */
function unknownNames(queries: NamedQuery[], served: Set<string>): string[] {
  return queries.flatMap((q) => metricNames(q.expr).filter((name) => !served.has(name)).map((name) => `${q.where}: ${name}`));
}

let gw: GatewayProcess;
let tier: StaticTier;
let families: Map<string, Family>;
let served: Set<string>;

beforeAll(async () => {
  gw = await startGateway([fixture('gateway/ops-app.ts'), '--workers', '2', '--no-access-log']);
  await gw.waitFor(settled);
  tier = await startStaticTier(Number(new URL(gw.url).port));
  expect((await load(`${tier.site}/`, 20, 4)).ok).toBe(20);
  const texts = await Promise.all([`${gw.admin}/metrics`, tier.exporter.url].map(async (url) => (await fetch(url)).text()));
  families = new Map(texts.flatMap((text) => [...parsePrometheus(text)]));
  served = new Set([...families.values()].flatMap(seriesNames));
}, 30_000);
afterAll(async () => {
  await tier?.stop();
  await gw?.stop();
});

test('the live /metrics has the request histogram and the pool gauges the queries rely on, and the exporter reads nginx', () => {
  expect(families.get('gateway_request_duration_seconds')?.type).toBe('histogram');
  expect(served.has('gateway_workers')).toBe(true);
  expect(families.get('nginx_up')?.samples[0]?.value).toBe(1);
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

test.each([['gateway_', 10], ['nginx_', 7]])('the dashboard shows every %s metric that is served', (prefix, atLeast) => {
  const shown = new Set(dashboardQueries().flatMap((q) => metricNames(q.expr)));
  const tierFamilies = [...families.values()].filter((f) => f.name.startsWith(prefix));
  expect(tierFamilies.length).toBeGreaterThanOrEqual(atLeast);
  expect(tierFamilies.filter((f) => !seriesNames(f).some((name) => shown.has(name))).map((f) => f.name)).toEqual([]);
});

test('a query naming a metric the gateway does not serve is reported', () => {
  const typo = [{ where: 'panel "x" A', expr: 'sum(rate(gateway_request_total[5m])) / sum(rate(gateway_requests_total[5m]))' }];
  expect(unknownNames(typo, served)).toEqual(['panel "x" A: gateway_request_total']);
});
