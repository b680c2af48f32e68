/**
 * Bun's WebSocket convention for fetch apps, so a Bun-style app runs unmodified on the gateway:
 *
 *   export default {
 *     fetch(request, server) { if (server.upgrade(request, { data })) return; return new Response('hi'); },
 *     websocket: { open(ws) {}, message(ws, message) { ws.send(message); }, close(ws, code, reason) {} },
 *   };
 *
 * On a WebSocket handshake the app's `fetch` gets the usual ctx with an `upgrade(request, { data })`
 * method (Bun passes its server as that argument); if the app calls it, the worker completes the
 * handshake with `ws` and calls the hooks with a socket offering Bun's `send`, `close`, `data`,
 * `readyState` and `remoteAddress`. Otherwise the app's response refuses the handshake.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FetchApp, GatewayContext } from './types.ts';

/** The socket Bun's hooks receive, as far as we provide it. */
export interface BunStyleSocket<D = unknown> {
  readonly data: D;
  readonly readyState: number;
  readonly remoteAddress: string;
  send(message: string | ArrayBufferLike | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** Bun's `websocket` handlers object. */
export interface BunWebSocketHandlers {
  open?(ws: BunStyleSocket): unknown;
  message?(ws: BunStyleSocket, message: string | Buffer): unknown;
  close?(ws: BunStyleSocket, code: number, reason: string): unknown;
}

/** The app's `websocket` handlers when it follows Bun's convention, else undefined. */
export function bunHandlersOf(app: FetchApp): BunWebSocketHandlers | undefined {
  const handlers = (app as FetchApp & { websocket?: unknown }).websocket;
  if (typeof handlers !== 'object' || handlers === null) return undefined;
  return ['open', 'message', 'close'].some((k) => typeof (handlers as Record<string, unknown>)[k] === 'function') ? (handlers as BunWebSocketHandlers) : undefined;
}

function wrap(ws: WebSocket, data: unknown, remoteAddress: string): BunStyleSocket {
  return {
    data,
    remoteAddress,
    get readyState() {
      return ws.readyState;
    },
    send: (message) => ws.send(message),
    close: (code, reason) => ws.close(code, reason),
  };
}

/** Runs a handshake through the app's fetch; resolves false (with its response status) when it did not upgrade. */
export function bunUpgrade(
  app: FetchApp,
  handlers: BunWebSocketHandlers,
  wss: WebSocketServer,
): (req: IncomingMessage, socket: Duplex, head: Buffer, ctx: GatewayContext) => Promise<{ upgraded: boolean; status: number }> {
  return async (req, socket, head, ctx) => {
    let upgrade: { data: unknown } | undefined;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    const request = new Request(`${ctx.scheme}://${ctx.host}${req.url ?? '/'}`, { headers });
    const { client, scheme, host, requestId, workerId, mountPrefix, signal, trace } = ctx;
    const server = {
      client, scheme, host, requestId, workerId, mountPrefix, signal, trace,
      upgrade: (_request: Request, options?: { data?: unknown }) => ((upgrade = { data: options?.data }), true),
    };
    const response: unknown = await app.fetch(request, server);
    if (!upgrade || socket.destroyed) return { upgraded: false, status: response instanceof Response ? response.status : 400 };
    const { data } = upgrade;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const bunSocket = wrap(ws, data, ctx.client.address);
      ws.on('message', (message, binary) => void handlers.message?.(bunSocket, binary ? (message as Buffer) : message.toString()));
      ws.on('close', (code, reason) => void handlers.close?.(bunSocket, code, reason.toString()));
      ws.on('error', () => undefined);
      void handlers.open?.(bunSocket);
    });
    return { upgraded: true, status: 101 };
  };
}
