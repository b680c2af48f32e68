/**
 * `--bind unix:PATH` (gunicorn's `bind unix:…`), as nginx on the same machine uses it: the workers
 * serve on the socket with the mode asked for, a socket file a killed gateway left behind is
 * replaced, anything else at the path stops the gateway with exit 2 naming the bind, and the file is
 * gone once the gateway has stopped.
 */
import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runCli, settled, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(60_000);
const OPS = fixture('gateway/ops-app.ts');
let gw: GatewayProcess | undefined;
const socketDir = () => mkdtempSync(join(tmpdir(), 'gw-sock-'));

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

/** GET over the unix socket. */
function get(socketPath: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves on the socket with the mode asked for, and removes the file when it stops', async () => {
  const path = join(socketDir(), 'gw.sock');
  gw = await startGateway([OPS, '--workers', '2', '--socket-mode', '600'], {}, `unix:${path}`);
  await gw.waitFor(settled);
  expect(statSync(path).isSocket()).toBe(true);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(await get(path, '/')).toEqual({ status: 200, body: 'ok' });
  expect(await gw.stop()).toBe(0);
  expect(existsSync(path)).toBe(false);
});

test('a socket file a killed gateway left behind is replaced', async () => {
  const path = join(socketDir(), 'stale.sock');
  // Listens, then dies by SIGKILL: the socket file stays, with nobody behind it.
  spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  expect(statSync(path).isSocket()).toBe(true);
  gw = await startGateway([OPS, '--workers', '1'], {}, `unix:${path}`);
  await gw.waitFor(settled);
  expect((await get(path, '/')).status).toBe(200);
});

test('a live server on the socket, a regular file or a missing folder: exit 2 naming the bind', async () => {
  const dir = socketDir();
  const live = join(dir, 'live.sock');
  const server: Server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(live, resolve));
  try {
    const busy = await runCli([OPS, '--bind', `unix:${live}`]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(`cannot bind: unix:${live}: another server is listening on this socket`);
  } finally {
    server.close();
  }
  const file = join(dir, 'not-a-socket');
  writeFileSync(file, 'keep me');
  const notSocket = await runCli([OPS, '--bind', `unix:${file}`]);
  expect(notSocket.code).toBe(2);
  expect(notSocket.stderr).toContain(`${file} exists and is not a socket`);
  const missing = await runCli([OPS, '--bind', `unix:${join(dir, 'nope', 'gw.sock')}`]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('does not exist');
  const reusePort = await runCli([OPS, '--bind', `unix:${join(dir, 'r.sock')}`, '--listen-strategy', 'reuse-port']);
  expect(reusePort.code).toBe(2);
  expect(reusePort.stderr).toContain('reuse-port needs a HOST:PORT bind');
});
