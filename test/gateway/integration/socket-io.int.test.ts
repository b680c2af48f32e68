/**
 * socket.io on 2 workers through the real gateway: WebSocket-only clients work out of the box, and a
 * broadcast from one worker reaches clients on every worker through the master's adapter relay.
 */
import { jest } from '@jest/globals';
import { io, type Socket } from 'socket.io-client';
import { fixture, settled, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(60_000);
let gw: GatewayProcess | undefined;
const clients: Socket[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await gw?.stop();
});

test('WebSocket-only clients spread over 2 workers all hear a broadcast sent on one of them', async () => {
  gw = await startGateway([fixture('apps/socket-io-app.ts'), '--workers', '2', '--listen-strategy', 'round-robin']);
  await gw.waitFor(settled);
  const workers = new Map<number, Socket>();
  for (let i = 0; i < 20 && workers.size < 2; i += 1) {
    const client = io(gw.url, { transports: ['websocket'], reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('connect_error', reject));
    const id = await client.timeout(5000).emitWithAck('whoami') as number;
    if (!workers.has(id)) workers.set(id, client);
  }
  expect(workers.size).toBe(2);
  const heard = clients.map((c) => new Promise<{ text: string; from: number }>((resolve) => c.once('heard', resolve)));
  const [sender] = [...workers.values()];
  sender!.emit('shout', 'hello everyone');
  const messages = await Promise.all(heard);
  expect(new Set(messages.map((m) => m.text))).toEqual(new Set(['hello everyone']));
  expect(messages).toHaveLength(clients.length);
});
