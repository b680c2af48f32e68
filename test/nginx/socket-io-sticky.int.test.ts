/**
 * socket.io's default transports through the real nginx with the rendered config, in front of the
 * real gateway on 2 workers with the sticky strategy. nginx multiplexes clients over its pooled
 * upstream connections, and the gateway routes a connection by its first request only: this suite
 * fails if the sticky path goes through that pool (engine.io then answers 400 "Session ID unknown").
 */
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { renderNginxConf } from '../../nginx/render.ts';
import { nginxSpec } from '../../nginx/spec.ts';
import { fixture, freePort, settled, startGateway, type GatewayProcess } from '../gateway/integration/gateway-process.ts';
import { connectClients, type Client } from '../gateway/integration/socket-io-clients.ts';
import { checkConfig, makeRunDir, nginxBinary } from './nginx-binary.ts';

jest.setTimeout(90_000);
let gw: GatewayProcess;
let nginx: ChildProcess;
let dir: string;
let site: string;
let clients: Client[] = [];

beforeAll(async () => {
  const gatewayPort = await freePort();
  gw = await startGateway([fixture('apps/socket-io-app.ts'), '--workers', '2', '--listen-strategy', 'sticky', '--access-log'], {}, `127.0.0.1:${gatewayPort}`);
  dir = await makeRunDir('socket-io-sticky');
  await mkdir(join(dir, 'static'));
  const port = await freePort();
  site = `http://127.0.0.1:${port}`;
  const conf = renderNginxConf(
    nginxSpec({
      listen: { host: '127.0.0.1', port },
      upstream: { servers: [{ host: '127.0.0.1', port: gatewayPort }] },
      stickyPath: '/socket.io/',
      staticRoot: join(dir, 'static'),
      // Two nginx workers, each with its own upstream pool, as on a real machine.
      workerProcesses: 2,
      paths: { runDir: dir, accessLog: join(dir, 'access.log') },
    }),
  );
  expect((await checkConfig(conf, dir)).output).toContain('syntax is ok');
  nginx = spawn(nginxBinary(), ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  await gw.waitFor(settled);
  for (let i = 0; i < 50; i += 1) {
    if (await fetch(`${site}/nginx-health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nginx did not start');
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.socket.close();
  // Fast stop: a graceful one waits out the long-polls still open upstream (up to pingInterval).
  nginx?.kill('SIGTERM');
  if (nginx && nginx.exitCode === null) await new Promise((r) => nginx.once('exit', r));
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('40 clients with default transports through nginx: all connect, no 400 anywhere, a broadcast reaches all', async () => {
  // Ordinary requests all along, as on a real site: nginx's pools keep holding keep-alive
  // connections that the gateway routed by an ordinary first request.
  let browsing = true;
  const pages = Array.from({ length: 8 }, async () => {
    for (let n = 0; browsing && n < 2000; n += 1) await fetch(`${site}/`).then((r) => r.text());
  });
  try {
    await exchange();
  } finally {
    browsing = false;
    await Promise.all(pages);
  }
});

async function exchange(): Promise<void> {
  clients = await connectClients(site, 40, (i) => ({ reconnection: false, ...(i < 10 ? { upgrade: false } : {}) }));
  expect(new Set(clients.map((c) => c.worker))).toEqual(new Set([1, 2]));

  const heard = clients.map((c) => new Promise<string>((resolve) => c.socket.once('heard', (m: { text: string }) => resolve(m.text))));
  clients[5]!.socket.emit('shout', 'through nginx');
  expect(new Set(await Promise.all(heard))).toEqual(new Set(['through nginx']));
  for (const c of clients) expect(await c.socket.timeout(5000).emitWithAck('whoami')).toBe(c.worker);
  expect(clients.slice(10).some((c) => c.socket.io.engine.transport.name === 'websocket')).toBe(true);

  expect(clients.flatMap((c) => c.problems)).toEqual([]);
  const nginxLog = await readFile(join(dir, 'access.log'), 'utf8');
  expect(nginxLog).toContain('/socket.io/?EIO=4&transport=polling');
  expect(nginxLog.split('\n').filter((line) => /" 400 /.test(line))).toEqual([]);
  expect(gw.output().split('\n').filter((line) => line.includes('"status":400,'))).toEqual([]);
}
