/**
 * nginx's own metrics for real: the stack spec's nginx.conf (tier metrics on) run by the real nginx
 * serves stub_status on loopback only, on a server of its own, and Debian's prometheus-nginx-exporter,
 * started with the spec's arguments, turns it into the nginx_* series the dashboard reads.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { parsePrometheus, sampleValue } from '../gateway/metrics/parse-prometheus.ts';
import { startStaticTier, type StaticTier } from '../support/static-tier.ts';

let app: Server;
let tier: StaticTier;
let site: string;
let status: string;

async function scrape() {
  return parsePrometheus(await (await fetch(tier.exporter.url)).text());
}

beforeAll(async () => {
  app = createServer((_req, res) => res.end('from the app'));
  const appPort = await new Promise<number>((done) => app.listen(0, '127.0.0.1', () => done((app.address() as { port: number }).port)));
  tier = await startStaticTier(appPort);
  ({ site, status } = tier);
}, 30_000);

afterAll(async () => {
  await tier?.stop();
  app?.closeAllConnections();
  await new Promise((r) => app?.close(r));
});

test('stub_status answers on its loopback port, and nothing else does there', async () => {
  const response = await fetch(`${status}/stub_status`);
  expect(response.status).toBe(200);
  expect(await response.text()).toMatch(/^Active connections: \d+/);
  expect((await fetch(`${status}/`)).status).toBe(404);
  expect((await fetch(`${status}/nginx-health`)).status).toBe(404);
});

test('the public server never serves stub_status: /stub_status there goes to the app like any path', async () => {
  const response = await fetch(`${site}/stub_status`);
  expect(await response.text()).toBe('from the app');
});

test('the exporter serves nginx_up, nginx_connections_active and nginx_http_requests_total, which counts the requests sent', async () => {
  const before = sampleValue(await scrape(), 'nginx_http_requests_total')!;
  for (let i = 0; i < 10; i += 1) expect((await fetch(`${site}/page`)).status).toBe(200);
  const after = await scrape();
  expect(sampleValue(after, 'nginx_up')).toBe(1);
  expect(sampleValue(after, 'nginx_connections_active')).toBeGreaterThanOrEqual(1);
  // Ten to the site, one of the exporter's own reads of stub_status.
  expect(sampleValue(after, 'nginx_http_requests_total')! - before).toBe(11);
  for (const name of ['nginx_connections_accepted', 'nginx_connections_handled', 'nginx_connections_reading', 'nginx_connections_writing', 'nginx_connections_waiting']) {
    expect([name, after.has(name)]).toEqual([name, true]);
  }
});
