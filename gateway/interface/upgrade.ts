/**
 * HTTP upgrades (WebSockets) handed to the app that owns the path. The worker's server has one
 * `upgrade` listener; it matches the mount, strips the prefix and passes the connection on:
 *  - fetch apps with Bun's `websocket` handlers through Bun's convention (bun-websocket.ts);
 *  - other fetch apps through @hono/node-server's own WebSocket wiring (what `serve({ fetch, websocket:
 *    { server: new WebSocketServer({ noServer: true }) } })` sets up), so an app that uses its
 *    `upgradeWebSocket` runs unmodified and imports nothing of ours;
 *  - Node apps that export an `http.Server` (not listening) by emitting `upgrade` on it, so `ws`
 *    and socket.io attach to it as to their own server; adopted servers the same way.
 * Only protocols someone claims are treated as upgrades (`shouldUpgrade`): an `Upgrade: h2c` that
 * nobody takes stays an ordinary request, as HTTP allows. A WebSocket handshake nobody takes gets
 * a 404 and its socket is closed, never left open.
 */
import { EventEmitter } from 'node:events';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createAdaptorServer } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { checkEdge } from './edge.ts';
import { bunHandlersOf, bunUpgrade } from './bun-websocket.ts';
import { RequestContext } from './exchange.ts';
import { REQUEST_ID, requestIds } from './listener.ts';
import { MountedApps } from './load.ts';
import { matchRoute, stripPrefix, type Route } from './mount.ts';
import { compileProxyTrust, peerOf, resolveForwarded } from './proxy.ts';
import type { AppSet, FetchApp, GatewayContext } from './types.ts';

/** Where an app takes its upgrades. */
export interface UpgradeTarget {
  /** Whether this app takes an upgrade to `protocol` (lower-case `Upgrade` header) right now. */
  accepts(protocol: string): boolean;
  /** The target reads the request's GatewayContext (fetch apps do). */
  needsContext?: boolean;
  /** Hands the connection over (`req.url` already has the mount prefix removed). */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** What the worker's server is given. */
export interface UpgradeDispatch {
  /** For `server.shouldUpgradeCallback`: false leaves the request an ordinary one. */
  shouldUpgrade(req: IncomingMessage): boolean;
  /** The server's `upgrade` listener. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** An EventEmitter with `upgrade` listeners (an app's http.Server, an adopted server). */
export function serverUpgradeTarget(server: EventEmitter): UpgradeTarget {
  return {
    accepts: () => server.listenerCount('upgrade') > 0,
    handle: (req, socket, head) => void server.emit('upgrade', req, socket, head),
  };
}

/**
 * A fetch app's upgrades through @hono/node-server: its `createAdaptorServer` wires a
 * WebSocketServer to whatever `createServer` returns, so we give it an emitter of our own and
 * emit the worker's upgrades on it. The app's `fetch` gets the adapter's env object (which its
 * `upgradeWebSocket` reads) carrying the gateway context's fields too.
 */
export function fetchUpgradeTarget(app: FetchApp, contextOf: (req: IncomingMessage) => GatewayContext): UpgradeTarget {
  const bun = bunHandlersOf(app);
  if (bun) {
    const handshake = bunUpgrade(app, bun, new WebSocketServer({ noServer: true }));
    return {
      accepts: (protocol) => protocol === 'websocket',
      needsContext: true,
      handle: (req, socket, head) =>
        void handshake(req, socket, head, contextOf(req)).then(
          ({ upgraded, status }) => upgraded || refuseUpgrade(socket, status),
          () => refuseUpgrade(socket, 500),
        ),
    };
  }
  const emitter = new EventEmitter();
  createAdaptorServer({
    fetch: (request: Request, env: Record<string | symbol, unknown>) => {
      const ctx = contextOf(env.incoming as IncomingMessage);
      Object.assign(env, { client: ctx.client, scheme: ctx.scheme, host: ctx.host, requestId: ctx.requestId, workerId: ctx.workerId, mountPrefix: ctx.mountPrefix, signal: ctx.signal, trace: ctx.trace });
      return app.fetch(request, env as unknown as GatewayContext);
    },
    websocket: { server: new WebSocketServer({ noServer: true }) },
    createServer: (() => emitter) as unknown as typeof import('node:http').createServer,
  });
  return {
    accepts: (protocol) => protocol === 'websocket',
    needsContext: true,
    handle: (req, socket, head) => void emitter.emit('upgrade', req, socket, head),
  };
}

/** Answers an upgrade nobody takes and closes the socket once the answer is out. */
export function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  socket.on('error', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

export interface UpgradeOptions {
  workerId: number;
  forwardedAllowIps: string[];
  /** Called with each connection handed to an app (the worker tracks them for drain and gauges). */
  onUpgraded?(req: IncomingMessage, socket: Duplex): void;
  /** Told why a handshake was refused for its target or Host (the HTTP edge rules, edge.ts). */
  warn?(fields: object, message: string): void;
}

/** The worker's upgrade dispatch over every mounted app. */
export function createUpgradeDispatch(apps: AppSet, options: UpgradeOptions): UpgradeDispatch {
  if (!(apps instanceof MountedApps)) throw new TypeError('createUpgradeDispatch needs the AppSet that loadApps() or appSetOf() returned');
  const trust = compileProxyTrust(options.forwardedAllowIps);
  const nextRequestId = requestIds();
  const contexts = new WeakMap<IncomingMessage, RequestContext>();
  const contextOf = (req: IncomingMessage): GatewayContext => contexts.get(req)!;
  const routes: Route<UpgradeTarget | undefined>[] = apps.routes.map(({ prefix, target }) => ({
    prefix,
    target: target.kind === 'fetch' ? fetchUpgradeTarget(target.app, contextOf) : target.kind === 'server' ? serverUpgradeTarget(target.server) : undefined,
  }));
  const protocolOf = (req: IncomingMessage) => (req.headers.upgrade ?? '').toLowerCase();

  return {
    shouldUpgrade(req) {
      const protocol = protocolOf(req);
      // A WebSocket handshake is always ours to answer, so one nobody takes gets a clean 404.
      return protocol === 'websocket' || Boolean(matchRoute(routes, req.url ?? '/')?.target?.accepts(protocol));
    },
    upgrade(req, socket, head) {
      // The same target and Host rules as ordinary requests: a handshake with userinfo in its
      // target would otherwise reach the fetch adapter and come back as a 500.
      const edge = checkEdge(req);
      if (edge) {
        if (edge.reason) options.warn?.({ client: req.socket.remoteAddress }, `upgrade refused with ${edge.status}: ${edge.reason}`);
        return refuseUpgrade(socket, edge.reason ? edge.status : 400);
      }
      const originalUrl = req.url ?? '/';
      const route = matchRoute(routes, originalUrl);
      const target = route?.target;
      if (!route || !target?.accepts(protocolOf(req))) return refuseUpgrade(socket, 404);
      // Only fetch apps read a context; a server app's socket would carry one for its whole life.
      if (target.needsContext) {
        const forwarded = resolveForwarded(trust, peerOf(req.socket), req.headers);
        const incomingId = forwarded.trusted ? req.headers['x-request-id'] : undefined;
        const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : nextRequestId();
        const ctx = new RequestContext(forwarded, requestId, options.workerId, route.prefix, req.headers);
        socket.once('close', () => ctx.abort('disconnect'));
        contexts.set(req, ctx);
      }
      req.url = stripPrefix(originalUrl, route.prefix);
      options.onUpgraded?.(req, socket);
      target.handle(req, socket, head);
    },
  };
}
