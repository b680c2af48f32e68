/**
 * socket.io with its default transports (long-polling first, then the upgrade to a WebSocket) on 2
 * workers of the real gateway with the sticky listen strategy: every request of a session reaches
 * the worker that owns it (engine.io answers 400 "Session ID unknown" to any other), a broadcast
 * reaches every client on every worker, and a worker killed with SIGKILL costs only its own clients
 * a reconnect.
 */
import { jest } from '@jest/globals';
import { io, type Socket } from 'socket.io-client';
import { fixture, settled, sleep, startGateway, type GatewayProcess } from './gateway-process.ts';
import { connectClients, type Client } from './socket-io-clients.ts';

jest.setTimeout(90_000);
let gw: GatewayProcess | undefined;
let clients: Client[] = [];

afterEach(async () => {
  for (const c of clients) c.socket.close();
  clients = [];
  await gw?.stop();
  gw = undefined;
});

/** Access-log lines the gateway wrote with this status. */
const logged = (gateway: GatewayProcess, status: number) => gateway.output().split('\n').filter((line) => line.includes(`"status":${status},`));

test('40 clients with default transports on 2 workers: all connect, none gets a 400, a broadcast reaches all', async () => {
  gw = await startGateway([fixture('apps/socket-io-app.ts'), '--workers', '2', '--listen-strategy', 'sticky', '--access-log']);
  await gw.waitFor(settled, 60_000);
  // 30 upgrade to a WebSocket as usual; 10 stay on long-polling, so every message they send or
  // receive travels on a request that names their session.
  clients = await connectClients(gw.url, 40, (i) => ({ reconnection: false, ...(i < 10 ? { upgrade: false } : {}) }));
  expect(new Set(clients.map((c) => c.worker))).toEqual(new Set([1, 2]));

  const heard = clients.map((c) => new Promise<string>((resolve) => c.socket.once('heard', (m: { text: string }) => resolve(m.text))));
  clients[0]!.socket.emit('shout', 'to everyone');
  expect(new Set(await Promise.all(heard))).toEqual(new Set(['to everyone']));
  // A few more round trips on every session, polling ones included, while the others upgraded.
  for (const c of clients) expect(await c.socket.timeout(5000).emitWithAck('whoami')).toBe(c.worker);
  expect(clients.slice(10).filter((c) => c.socket.io.engine.transport.name === 'websocket').length).toBeGreaterThan(0);
  expect(clients.slice(0, 10).every((c) => c.socket.io.engine.transport.name === 'polling')).toBe(true);

  expect(clients.flatMap((c) => c.problems)).toEqual([]);
  expect(logged(gw, 400)).toEqual([]);
  // Requests on the session path really reached the gateway's request path (access log, request ids).
  expect(gw.output()).toMatch(/"path":"\/socket\.io\/".*"status":200/);
});

test('a worker killed with SIGKILL: its clients reconnect to a worker still alive, the others keep their session', async () => {
  gw = await startGateway([fixture('apps/socket-io-app.ts'), '--workers', '2', '--listen-strategy', 'sticky']);
  await gw.waitFor(settled, 60_000);
  clients = await connectClients(gw.url, 20, () => ({ reconnectionDelay: 100, reconnectionDelayMax: 500 }));
  const status = await gw.status();
  const victim = status.workers.find((w) => w.id === 1)!;
  const onVictim = clients.filter((c) => c.worker === 1);
  const others = clients.filter((c) => c.worker === 2);
  expect(onVictim.length).toBeGreaterThan(0);
  expect(others.length).toBeGreaterThan(0);
  const sessions = new Map(others.map((c) => [c, c.socket.id]));
  const reconnected = onVictim.map((c) => new Promise<void>((resolve) => c.socket.io.once('reconnect', () => resolve())));

  process.kill(victim.pid, 'SIGKILL');
  await Promise.all(reconnected);
  for (const c of onVictim) expect(await c.socket.timeout(5000).emitWithAck('whoami')).not.toBe(1);
  // The survivors never noticed: same session, no disconnect, still on worker 2.
  for (const c of others) {
    expect(c.socket.id).toBe(sessions.get(c));
    expect(c.problems).toEqual([]);
    expect(await c.socket.timeout(5000).emitWithAck('whoami')).toBe(2);
  }
  await gw.waitFor(settled, 60_000);
  await sleep(200);
  const heard = clients.map((c) => new Promise<string>((resolve) => c.socket.once('heard', (m: { text: string }) => resolve(m.text))));
  others[0]!.socket.emit('shout', 'after the kill');
  expect(new Set(await Promise.all(heard))).toEqual(new Set(['after the kill']));
});

test('HUP: every session, polling or upgraded, reconnects to a new worker; the old ones exit', async () => {
  gw = await startGateway([fixture('apps/socket-io-app.ts'), '--workers', '2', '--listen-strategy', 'sticky']);
  await gw.waitFor(settled, 60_000);
  clients = await connectClients(gw.url, 20, (i) => ({ reconnectionDelay: 100, reconnectionDelayMax: 500, ...(i < 10 ? { upgrade: false } : {}) }));
  const reconnected = clients.map((c) => new Promise<void>((resolve) => c.socket.io.once('reconnect', () => resolve())));
  gw.proc.kill('SIGHUP');
  await Promise.all(reconnected);
  for (const c of clients) expect(await c.socket.timeout(5000).emitWithAck('whoami')).toBeGreaterThan(2);
  const after = await gw.waitFor((s) => settled(s) && s.workers.every((w) => w.id > 2), 60_000);
  expect(after.workers).toHaveLength(2);
});

test('a connection that arrives before any worker is ready waits for one instead of being refused', async () => {
  gw = await startGateway([fixture('apps/socket-io-app.ts'), '--workers', '1', '--listen-strategy', 'sticky']);
  // The admin port answers once the master has bound its sticky socket; the worker is still booting.
  const booting = await gw.waitFor(() => true);
  expect(booting.workers.filter((w) => w.state === 'ready')).toEqual([]);
  const early = io(gw.url, { reconnection: false });
  clients.push({ socket: early as Socket, worker: 0, problems: [] });
  await new Promise<void>((resolve, reject) => early.once('connect', resolve).once('connect_error', reject));
  expect(await early.timeout(5000).emitWithAck('whoami')).toBe(1);
});
