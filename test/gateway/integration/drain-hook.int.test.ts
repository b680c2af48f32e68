/**
 * A Node app with its own server hears of a drain the Node way: the gateway closes its http.Server
 * (as server.close() would) when the worker starts draining, so `server.on('close')` listeners run
 * while the worker still holds the app's sockets — the app's own, and socket.io's (engine.io closes
 * its clients' transports on it). Real gateway, HUP, exported and adopted servers.
 */
import { jest } from '@jest/globals';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { fixture, freePort, settled, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(60_000);
let gw: GatewayProcess | undefined;

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

interface Heard {
  worker: number;
  /** Messages after the first (which names the worker), with when they arrived. */
  messages: Array<{ text: string; at: number }>;
  closed: Promise<{ code: number; at: number }>;
}

function openSocket(base: string): Promise<Heard> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    const heard: Heard = { worker: 0, messages: [], closed: new Promise((done) => ws.on('close', (code) => done({ code, at: Date.now() }))) };
    ws.on('open', () => ws.send('who'));
    ws.on('message', (data) => {
      const text = data.toString();
      if (heard.worker === 0) {
        heard.worker = Number(/worker=(\d+)/.exec(text)?.[1]);
        resolve(heard);
      } else heard.messages.push({ text, at: Date.now() });
    });
    ws.on('error', reject);
  });
}

/** When the worker logged 'draining' (epoch ms). */
function drainedAt(output: string, worker: number): number {
  for (const line of output.split('\n')) {
    if (!line.includes('"draining"')) continue;
    const entry = JSON.parse(line) as { msg: string; worker?: number; time: string };
    if (entry.msg === 'draining' && entry.worker === worker) return Date.parse(entry.time);
  }
  throw new Error(`worker ${worker} never logged 'draining':\n${output.slice(-2000)}`);
}

test.each(['exported', 'adopted'])("HUP: an %s server's 'close' listeners run as its worker drains, before the 1012 and before the worker exits", async (how) => {
  const appPort = await freePort();
  gw = await startGateway([fixture('apps/ws-drain-hook.ts'), '--workers', '1'], how === 'adopted' ? { FIXTURE_PORT: String(appPort) } : {});
  const before = await gw.waitFor(settled);
  const sockets = await Promise.all(Array.from({ length: 10 }, () => openSocket(gw!.url)));
  await new Promise((r) => setTimeout(r, 300));
  expect(sockets.flatMap((s) => s.messages)).toEqual([]); // nothing before the drain
  gw.proc.kill('SIGHUP');
  const ends = await Promise.all(sockets.map((s) => s.closed));
  const drained = drainedAt(gw.output(), before.workers[0]!.id);
  for (const [i, s] of sockets.entries()) {
    expect(s.messages.map((m) => m.text)).toEqual(['bye closes=1 listening=false']);
    expect(s.messages[0]!.at).toBeGreaterThanOrEqual(drained);
    expect(ends[i]!.code).toBe(1012);
  }
  await gw.waitFor((s) => settled(s) && s.workers.every((w) => w.id !== before.workers[0]!.id));
  // Adopted, not bound: the app's own port was never listened on.
  if (how === 'adopted') await expect(fetch(`http://127.0.0.1:${appPort}/`)).rejects.toThrow();
});

test("HUP: socket.io's own hook closes a long-polling client's transport at once, and the worker does not wait for the poll", async () => {
  gw = await startGateway([fixture('apps/socket-io-app.ts'), '--workers', '1', '--graceful-timeout', '30']);
  const before = await gw.waitFor(settled);
  const client = io(gw.url, { transports: ['polling'], reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('connect_error', reject));
    expect(await client.timeout(5000).emitWithAck('whoami')).toBe(before.workers[0]!.id);
    const reason = new Promise<{ reason: string; at: number }>((resolve) => client.once('disconnect', (r) => resolve({ reason: r, at: Date.now() })));
    const hupAt = Date.now();
    gw.proc.kill('SIGHUP');
    const heard = await reason;
    // 'transport close' is the reason socket.io-client reconnects after; engine.io's pingInterval
    // (25 s) is what a held poll would otherwise wait for.
    expect(heard.reason).toBe('transport close');
    expect(heard.at - hupAt).toBeLessThan(5000);
    const after = await gw.waitFor((s) => settled(s) && s.workers.every((w) => w.id !== before.workers[0]!.id), 10_000);
    expect(after.workers).toHaveLength(1);
  } finally {
    client.close();
  }
});
