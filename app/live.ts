/**
 * The live part of the sample app: a WebSocket echo and an SSE clock, both long-lived connections
 * through nginx and the gateway. The WebSocket uses @hono/node-server's own `upgradeWebSocket`, as
 * any Hono app on Node would; nothing here knows about the gateway. When a worker drains, the
 * gateway closes the socket with 1012 and ends the stream; the page's script reconnects.
 */
import { upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { requestSignal, whoAnswered, type AppEnv } from './context.ts';

export const live = new Hono<AppEnv>();

live.get(
  '/ws',
  upgradeWebSocket((c) => {
    const { workerId } = whoAnswered(c);
    return {
      onOpen: (_event, ws) => ws.send(JSON.stringify({ type: 'hello', workerId })),
      onMessage: (event, ws) => ws.send(JSON.stringify({ type: 'echo', text: String(event.data).slice(0, 400), workerId })),
    };
  }),
);

/** One event a second with the server's time, until the client goes away. */
live.get('/clock', (c) => {
  const { workerId } = whoAnswered(c);
  const signal = requestSignal(c);
  const encoder = new TextEncoder();
  let timer: NodeJS.Timeout | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const tick = () => controller.enqueue(encoder.encode(`data: ${JSON.stringify({ time: new Date().toISOString(), workerId })}\n\n`));
      // retry: how long EventSource waits before reconnecting after the stream ends (a drain).
      controller.enqueue(encoder.encode('retry: 1000\n\n'));
      tick();
      timer = setInterval(tick, 1000);
      signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    },
    cancel: () => clearInterval(timer),
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
});
