/**
 * nginx's proxying, against stand-in gateway replicas (plain node:http servers) so each behaviour
 * can be provoked: a replica that drops connections (retries: GET yes, POST never), what the
 * gateway receives (forwarded headers, request id, HTTP/1.1 keep-alive).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { renderNginxConf } from '../../nginx/render.ts';
import { nginxSpec } from '../../nginx/spec.ts';
import { freePort } from '../stack/stack-process.ts';
import { checkConfig, makeRunDir, nginxBinary } from './nginx-binary.ts';

interface Seen { method: string; headers: IncomingHttpHeaders; httpVersion: string; remotePort: number }

const healthy: Seen[] = [];
const broken: Seen[] = [];
let servers: Server[] = [];
let nginx: ChildProcess;
let dir: string;
let site: string;

function listen(server: Server): Promise<number> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)));
}

beforeAll(async () => {
  const good = createServer((req, res) => {
    healthy.push({ method: req.method!, headers: req.headers, httpVersion: req.httpVersion, remotePort: req.socket.remotePort! });
    req.resume().on('end', () => res.end('healthy'));
  });
  // A replica whose worker dies mid-request: the connection is cut before any response.
  const bad = createServer((req) => {
    broken.push({ method: req.method!, headers: req.headers, httpVersion: req.httpVersion, remotePort: req.socket.remotePort! });
    req.socket.destroy();
  });
  good.keepAliveTimeout = 75_000;
  servers = [good, bad];
  const [goodPort, badPort] = [await listen(good), await listen(bad)];
  dir = await makeRunDir('proxy');
  await mkdir(join(dir, 'static'));
  const port = await freePort();
  site = `http://127.0.0.1:${port}`;
  const spec = nginxSpec({
    listen: { host: '127.0.0.1', port },
    // maxFails 0: the broken replica stays in rotation, so every round-robin turn provokes a failure.
    upstream: { servers: [{ host: '127.0.0.1', port: badPort }, { host: '127.0.0.1', port: goodPort }], maxFails: 0 },
    staticRoot: join(dir, 'static'),
    workerProcesses: 1,
    paths: { runDir: dir, accessLog: 'off' },
  });
  const conf = renderNginxConf(spec);
  expect((await checkConfig(conf, dir)).ok).toBe(true);
  nginx = spawn(nginxBinary(), ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i += 1) {
    if (await fetch(`${site}/nginx-health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nginx did not start');
}, 30_000);

afterAll(async () => {
  nginx?.kill('SIGQUIT');
  if (nginx && nginx.exitCode === null) await new Promise((r) => nginx.once('exit', r));
  servers.forEach((s) => s.closeAllConnections());
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await rm(dir, { recursive: true, force: true });
});

describe('proxying to gateway replicas', () => {
  it('retries a GET on the other replica when one drops the connection', async () => {
    const statuses = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await fetch(`${site}/page`)).status);
    expect(statuses).toEqual(Array(8).fill(200));
    expect(broken.filter((s) => s.method === 'GET').length).toBeGreaterThan(0); // the broken one was tried
  });

  it('never replays a POST: the client gets a 502 instead', async () => {
    const before = { good: healthy.length, bad: broken.length };
    const statuses = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await fetch(`${site}/notes`, { method: 'POST', body: 'x' })).status);
    const reachedBad = broken.length - before.bad;
    const reachedGood = healthy.length - before.good;
    expect(reachedBad).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 502)).toHaveLength(reachedBad);
    expect(reachedGood + reachedBad).toBe(8); // each POST reached exactly one replica
  });

  it('forwards client, scheme, host and request id over HTTP/1.1 keep-alive', async () => {
    const start = healthy.length;
    for (let i = 0; i < 6; i += 1) await fetch(`${site}/headers`, { headers: { 'x-forwarded-for': '6.6.6.6' } });
    await fetch(`${site}/headers`, { headers: { 'x-request-id': 'abc-123' } });
    const seen = healthy.slice(start);
    const first = seen[0]!;
    expect(first.httpVersion).toBe('1.1');
    expect(first.headers['x-forwarded-for']).toBe('127.0.0.1'); // the client's own claim is replaced
    expect(first.headers['x-forwarded-proto']).toBe('http');
    expect(first.headers['x-forwarded-host']).toBe(new URL(site).host.split(':')[0]);
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.at(-1)!.headers['x-request-id']).toBe('abc-123');
    expect(first.headers.connection).toBeUndefined();
    // Keep-alive: fewer connections than requests reached the replica.
    expect(new Set(seen.map((s) => s.remotePort)).size).toBeLessThan(seen.length);
  });
});
