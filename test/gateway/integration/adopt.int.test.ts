/**
 * Adoption through the real gateway CLI: `gateway server.js` for a module that listens itself,
 * with two workers; the refusals end the gateway with exit 4 and the reason, without a restart loop.
 */
import { fixture, load, runCli, settled, startGateway, type GatewayProcess } from './gateway-process.ts';
import { freePort, isBound } from '../../support/net.ts';

let gw: GatewayProcess | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});


test('a module that calls listen(port) is served by both workers, its port never bound, and drains on TERM', async () => {
  const port = await freePort();
  gw = await startGateway([fixture('apps/listen/late.ts'), '--workers', '2'], { FIXTURE_PORT: String(port) });
  await gw.waitFor(settled);
  const result = await load(gw.url, 200, 8);
  expect(result.errors).toEqual([]);
  expect(result.statuses).toEqual({ 200: 200 });
  expect(await isBound(port)).toBe(false);
  const response = await fetch(gw.url);
  expect(response.headers.get('x-request-id')).toBeTruthy();
  expect(await gw.stop()).toBe(0);
  gw = undefined;
});

test('an adopted server takes WebSocket upgrades through the gateway (ws attached to it)', async () => {
  gw = await startGateway([fixture('apps/listen/websocket.ts'), '--workers', '2'], { FIXTURE_PORT: String(await freePort()) });
  await gw.waitFor(settled);
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`);
  const reply = await new Promise<string>((resolve, reject) => {
    ws.onopen = () => ws.send('hi');
    ws.onmessage = (event) => resolve(String(event.data));
    ws.onerror = () => reject(new Error('the WebSocket failed'));
  });
  ws.close();
  expect(reply).toMatch(/^echo hi from \d+$/);
  expect(await (await fetch(gw.url)).text()).toBe('http\n');
});

test.each([
  ['apps/listen/https.ts', [], /the gateway adopts the first http\.Server .*https\.ts: it listened on an https \(TLS\) server \(port 8443\)/],
  ['apps/listen/never.ts', ['--boot-timeout', '4'], /no default export \(named exports: \[helper\]\), and no http\.Server listened within [\d.]+ s of its import/],
])('%s stops the gateway with exit 4 and the reason', async (module, extra, message) => {
  const result = await runCli([fixture(module), '--workers', '2', ...extra, '--bind', '127.0.0.1:0', '--admin-bind', '127.0.0.1:0']);
  expect(result.code).toBe(4);
  expect(result.stdout + result.stderr).toMatch(message);
  expect(((result.stdout + result.stderr).match(/spawned worker/g) ?? []).length).toBeLessThanOrEqual(2);
});
