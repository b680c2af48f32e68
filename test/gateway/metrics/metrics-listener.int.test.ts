/**
 * `--metrics-bind`: a real gateway answers GET /metrics on a port of its own, with the pool's real
 * counts, and that port refuses everything else the admin listener serves, `POST /workers` above
 * all: a NetworkPolicy admitting a scraper to this port must not let it move the pool.
 */
import { freePort, runCli, settled, startGateway, fixture, type GatewayProcess } from '../integration/gateway-process.ts';
import { parsePrometheus, sampleValue } from './parse-prometheus.ts';

let gw: GatewayProcess;
let metrics: string;
beforeAll(async () => {
  const port = await freePort();
  metrics = `http://127.0.0.1:${port}`;
  gw = await startGateway([fixture('gateway/ops-app.ts'), '--min-workers', '1', '--max-workers', '3', '--no-access-log', '--metrics-bind', `127.0.0.1:${port}`]);
  await gw.waitFor(settled);
});
afterAll(async () => {
  await gw?.stop();
});

test('GET /metrics on the metrics port is the exposition, counting requests served', async () => {
  for (let i = 0; i < 5; i++) expect((await fetch(`${gw.url}/`)).status).toBe(200);
  const deadline = Date.now() + 10_000;
  let served: number | undefined;
  do {
    const response = await fetch(`${metrics}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    served = sampleValue(parsePrometheus(await response.text()), 'gateway_requests_total', { class: '2xx' });
  } while (served !== 5 && Date.now() < deadline && (await new Promise((r) => setTimeout(r, 200)), true));
  expect(served).toBe(5);
});

test('the metrics port refuses POST /workers and the other admin endpoints; the target does not move', async () => {
  const target = (await gw.status()).target;
  const post = await fetch(`${metrics}/workers?target=3`, { method: 'POST' });
  expect(post.status).toBe(404);
  const wrongMethod = await fetch(`${metrics}/metrics`, { method: 'POST' });
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.headers.get('allow')).toBe('GET');
  for (const path of ['/status', '/healthz', '/readyz']) expect([path, (await fetch(`${metrics}${path}`)).status]).toEqual([path, 404]);
  expect((await gw.status()).target).toBe(target);
  // The same request on the admin listener does move it: the refusal above is the port's, not the request's.
  expect((await fetch(`${gw.admin}/workers?target=3`, { method: 'POST' })).status).toBe(202);
  await gw.waitFor((s) => s.target === 3);
});

test('a bad --metrics-bind is a config error naming the setting (exit 2), a taken port a bind error naming it (exit 2 too)', async () => {
  const bad = await runCli([fixture('gateway/ops-app.ts'), '--workers', '1', '--bind', '127.0.0.1:0', '--admin-bind', '127.0.0.1:0', '--metrics-bind', '9100']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('metricsBind (--metrics-bind) = "9100": expected HOST:PORT');
  const taken = Number(new URL(gw.admin).port);
  const clash = await runCli([fixture('gateway/ops-app.ts'), '--workers', '1', '--bind', '127.0.0.1:0', '--admin-bind', '127.0.0.1:0', '--metrics-bind', `127.0.0.1:${taken}`]);
  expect(clash.stderr).toBe(`gateway: error: cannot bind: metricsBind 127.0.0.1:${taken}: EADDRINUSE\n`);
  expect(clash.code).toBe(2);
});
