/**
 * Real gateway processes on loopback: both app interfaces, graceful TERM and HUP under load,
 * limits, every listen strategy, the health subcommand, and the access log (off by default).
 */
import { jest } from '@jest/globals';
import { writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fixture, load, runCli, settled, sleep, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(60_000);
const OPS = fixture('gateway/ops-app.ts');
let gw: GatewayProcess | undefined;

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

test.each([
  ['a Hono fetch app', 'apps/hono-app.ts'],
  ['an Express app (Node listener)', 'apps/express-app.ts'],
])('%s runs unmodified under the gateway', async (_kind, app) => {
  gw = await startGateway([fixture(app), '--workers', '1']);
  await gw.waitFor(settled);
  const response = await fetch(`${gw.url}/`);
  expect(response.status).toBe(200);
  expect(response.headers.get('x-request-id')).toMatch(/.+/);
  expect(await response.text()).toMatch(/hello/i);
});

test('TERM with requests in flight: every one of them is answered, then exit 0', async () => {
  gw = await startGateway([OPS, '--workers', '2']);
  await gw.waitFor(settled);
  const inFlight = Array.from({ length: 10 }, () => fetch(`${gw!.url}/sleep?ms=1500`).then((r) => r.status, (e: unknown) => String(e)));
  await sleep(400);
  gw.proc.kill('SIGTERM');
  await sleep(100); // signal delivery is asynchronous
  const ready = await fetch(`${gw.admin}/readyz`).then((r) => r.status, () => 'closed');
  expect(ready).toBe(503); // readiness is off from the moment TERM arrives
  expect(await Promise.all(inFlight)).toEqual(Array(10).fill(200));
  expect(await gw.exited).toBe(0);
});

test('HUP under load: a rolling reload with no failed request, and config edits take effect', async () => {
  const dir = fileURLToPath(new URL('../../.tmp/hup/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const config = `${dir}gateway.config.ts`;
  writeFileSync(config, 'export default { workers: 2 };\n');
  gw = await startGateway([OPS, '--config', config]); // workers from the file: a flag would take precedence
  const before = await gw.waitFor(settled);
  const running = load(`${gw.url}/sleep?ms=5`, 1500, 6);
  await sleep(300);
  writeFileSync(config, 'export default { workers: 3 };\n');
  gw.proc.kill('SIGHUP');
  const result = await running;
  const after = await gw.waitFor((s) => settled(s) && s.workers.every((w) => w.generation === 2));
  expect(result.errors).toEqual([]);
  expect(result.ok).toBe(1500);
  expect(after.workers).toHaveLength(3);
  expect(after.workers.some((w) => before.workers.some((b) => b.pid === w.pid))).toBe(false);
  // The old workers served until they drained; their last heartbeat carries every request.
  await sleep(1500);
  const metrics = await (await fetch(`${gw.admin}/metrics`)).text();
  expect(metrics).toMatch(/^gateway_requests_total\{class="2xx"\} 1500$/m);
});

test('limits: 413 for an oversized body, 431 for oversized headers, 504 past the request deadline', async () => {
  gw = await startGateway([OPS, '--workers', '1', '--max-body-size', '1024', '--max-header-size', '2048', '--request-timeout', '1']);
  await gw.waitFor(settled);
  const big = await fetch(`${gw.url}/echo`, { method: 'POST', body: 'x'.repeat(5000) });
  expect(big.status).toBe(413);
  const small = await fetch(`${gw.url}/echo`, { method: 'POST', body: 'hello' });
  expect(await small.text()).toBe('hello');
  const headers = await new Promise<number>((resolve, reject) => {
    const req = request(`${gw!.url}/`, { headers: { 'x-big': 'y'.repeat(4000) } }, (res) => resolve(res.statusCode ?? 0));
    req.on('error', reject);
    req.end();
  });
  expect(headers).toBe(431);
  const slow = await fetch(`${gw.url}/sleep?ms=3000`);
  expect(slow.status).toBe(504);
});

test('a malformed request line gets 400 and the worker keeps serving', async () => {
  gw = await startGateway([OPS, '--workers', '1']);
  await gw.waitFor(settled);
  const port = Number(new URL(gw.url).port);
  const reply = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GARBAGE / HTTP/9.9\r\n\r\n'));
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('close', () => resolve(text));
  });
  expect(reply).toMatch(/^HTTP\/1\.1 400/);
  expect((await fetch(`${gw.url}/`)).status).toBe(200);
});

test.each(['round-robin', 'shared', 'reuse-port'])('the %s listen strategy serves from every worker', async (strategy) => {
  gw = await startGateway([OPS, '--workers', '2', '--listen-strategy', strategy]);
  await gw.waitFor(settled);
  const result = await load(`${gw.url}/sleep?ms=20`, 200, 8, { headers: { connection: 'close' } });
  expect(result.errors).toEqual([]);
  expect(result.pids.size).toBe(2);
});

test('`gateway health` exits 0 when live and ready, 5 when the gateway is down or draining', async () => {
  gw = await startGateway([OPS, '--workers', '1', '--drain-delay', '3']);
  await gw.waitFor(settled);
  const admin = ['--admin-bind', gw.admin.replace('http://', '')];
  expect((await runCli(['health', ...admin, '--ready'])).code).toBe(0);
  gw.proc.kill('SIGTERM');
  await sleep(300);
  const draining = await runCli(['health', ...admin, '--ready']);
  expect(draining.code).toBe(5);
  expect(draining.stderr).toMatch(/\/readyz answered 503/);
  expect((await runCli(['health', ...admin])).code).toBe(0); // still live while draining
  await gw.exited;
  const down = await runCli(['health', ...admin]);
  expect(down.code).toBe(5);
  expect(down.stderr).toMatch(/not healthy: .*ECONNREFUSED/);
});

const requestLines = (output: string) =>
  output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');

test('by default no request is logged', async () => {
  gw = await startGateway([OPS, '--workers', '1']);
  await gw.waitFor(settled);
  for (let i = 0; i < 3; i++) await (await fetch(`${gw.url}/`)).text();
  expect(await gw.stop()).toBe(0);
  expect(requestLines(gw.output())).toEqual([]);
});

test('--access-log: every request has its line, those just before TERM included', async () => {
  gw = await startGateway([OPS, '--workers', '1', '--access-log']);
  await gw.waitFor(settled);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const response = await fetch(`${gw.url}/?n=${i}`, { headers: { 'x-request-id': `test-${i}` } });
    await response.text();
    ids.push(response.headers.get('x-request-id')!);
  }
  expect(await gw.stop()).toBe(0);
  const lines = requestLines(gw.output());
  expect(lines.map((l) => l.requestId)).toEqual(ids);
  expect(lines[0]).toMatchObject({ level: 'info', method: 'GET', path: '/', status: 200, workerId: 1 });
});
