/**
 * The request listener a worker serves with: trusted proxy → request id → access log → user
 * middleware → preRequest hook → the mounted app (Node listeners called directly, fetch apps
 * through the bridge). The built-in steps work on Node's req/res, so the gateway's own work never
 * pays for a fetch conversion; they are inlined rather than chained because they always run.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkEdge, dropForbiddenTrailers } from './edge.ts';
import { limitChunkedBody, respondDirect, silenceLateWrites } from './respond.ts';
import { bridgeFetchApp, kExchange, type TaggedRequest } from './fetch-bridge.ts';
import { RequestContext, RequestExchange } from './exchange.ts';
import { MountedApps, type MountedApp } from './load.ts';
import { matchRoute, stripPrefix, type Route } from './mount.ts';
import { setRequestId } from './response.ts';
import { compileProxyTrust, peerOf, resolveForwarded } from './proxy.ts';
import type { AppSet, FinishedRequest, ListenerOptions, Middleware, NodeListener } from './types.ts';

type Dispatch = (req: IncomingMessage, res: ServerResponse) => unknown;
type Chain = (ex: RequestExchange, index: number) => void;

/**
 * Generated request ids: a random per-process prefix and a counter. Unique across workers and
 * restarts like a UUID (48 random bits per process), at a fraction of the cost and header bytes.
 */
export function requestIds(): () => string {
  const prefix = `${randomBytes(6).toString('base64url')}-`;
  let counter = 0;
  return () => prefix + (++counter).toString(36);
}

/** X-Request-Id values we pass on: visible ASCII, bounded, nothing that could split a log line. */
export const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** The app's context, for Node listeners (fetch apps get it as their second argument). */
export function contextOf(req: IncomingMessage): RequestContext | undefined {
  return (req as TaggedRequest)[kExchange]?.ctx;
}

function dispatcherOf(app: MountedApp, errorResponse: (ex: RequestExchange, error: unknown) => Response): Dispatch {
  if (app.kind === 'node') return app.listener;
  if (app.kind === 'fetch') return bridgeFetchApp(app.app, errorResponse);
  const { server } = app;
  // The adopted server's own 'request' listeners, as its framework registered them.
  return (req, res) => {
    if (!server.emit('request', req, res)) throw new Error(`${app.module}: the adopted server has no 'request' listener`);
  };
}

/** Builds the worker's request listener over every mounted app. */
export function createRequestListener(apps: AppSet, options: ListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  if (!(apps instanceof MountedApps)) throw new TypeError('createRequestListener needs the AppSet that loadApps() or appSetOf() returned');
  const { workerId, requestTimeoutMs, maxBodyBytes, logger, accessLog, observer, hooks } = options;
  const trust = compileProxyTrust(options.forwardedAllowIps);
  const nextRequestId = requestIds();

  function logFailure(ex: RequestExchange, error: unknown): void {
    // Node's parser cuts the body off on a bad chunk or a bad Transfer-Encoding, and a client may
    // hang up mid-body: the app's read fails, but the fault is the client's, not the app's.
    if (ex.req.destroyed && !ex.req.complete) {
      const why = error instanceof Error ? error.message : String(error);
      return logger.warn({ requestId: ex.ctx.requestId, workerId, error: why }, 'the request body was cut off before the app had read it');
    }
    logger.error({ err: error, requestId: ex.ctx.requestId, workerId }, 'the app failed the request');
  }
  function fail(ex: RequestExchange, error: unknown): void {
    logFailure(ex, error);
    if (ex.res.headersSent) ex.res.destroy();
    else respondDirect(ex.res, 500, 'Internal Server Error');
  }
  function errorResponse(ex: RequestExchange, error: unknown): Response {
    logFailure(ex, error);
    return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain' } });
  }

  const routes: Route<Dispatch>[] = apps.routes.map(({ prefix, target }) => ({ prefix, target: dispatcherOf(target, errorResponse) }));

  function dispatch(ex: RequestExchange): void {
    const route = ex.route as Route<Dispatch> | undefined;
    if (!route) return respondDirect(ex.res, 404, 'Not Found');
    if (route.prefix !== '') {
      ex.req.url = stripPrefix(ex.originalUrl, route.prefix);
      // Express keeps the full path in originalUrl, as with its own mounted routers.
      (ex.req as IncomingMessage & { originalUrl?: string }).originalUrl = ex.originalUrl;
    }
    try {
      const result = (route.target as NodeListener)(ex.req, ex.res) as unknown;
      if (typeof (result as Promise<void> | undefined)?.then === 'function') {
        (result as Promise<void>).then(undefined, (error: unknown) => fail(ex, error));
      }
    } catch (error) {
      fail(ex, error);
    }
  }

  const steps: Middleware[] = [...(options.middleware ?? [])];
  if (hooks?.preRequest) {
    const preRequest = hooks.preRequest.bind(hooks);
    steps.push((ex, next) => {
      const result = preRequest(ex);
      if (typeof (result as Promise<void> | undefined)?.then === 'function') return (result as Promise<void>).then(next);
      next();
    });
  }
  const runChain: Chain = (ex, index) => {
    const step = steps[index];
    if (!step) return dispatch(ex);
    let called = false;
    const next = (): void => {
      if (called || ex.res.writableEnded) return;
      called = true;
      runChain(ex, index + 1);
    };
    try {
      const result = step(ex, next);
      if (result) result.then(undefined, (error: unknown) => fail(ex, error));
    } catch (error) {
      fail(ex, error);
    }
  };

  function onDeadline(ex: RequestExchange): void {
    ex.timer = undefined;
    // Once the head is out the deadline is an idle limit: a stream (SSE, a token stream, a long
    // download) that wrote since the last check gets another period, so a healthy one is never cut.
    if (ex.res.headersSent) {
      const written = ex.req.socket.bytesWritten;
      if (written !== ex.bytesWritten) {
        ex.bytesWritten = written;
        ex.timer = setTimeout(onDeadline, requestTimeoutMs, ex);
        return;
      }
    }
    ex.ctx.abort('deadline');
    logger.warn({ requestId: ex.ctx.requestId, workerId, path: ex.originalUrl, timeoutMs: requestTimeoutMs }, 'request deadline passed');
    if (ex.res.headersSent) return void ex.res.destroy();
    if (ex.onDeadline) return ex.onDeadline(new Response('Gateway Timeout', { status: 504, headers: { 'content-type': 'text/plain' } }));
    respondDirect(ex.res, 504, 'Gateway Timeout');
    silenceLateWrites(ex.res);
  }

  function onClose(this: ServerResponse): void {
    const ex = (this.req as TaggedRequest)[kExchange]!;
    if (ex.timer) clearTimeout(ex.timer);
    const complete = this.writableFinished;
    if (!complete) ex.ctx.abort('disconnect');
    const q = ex.originalUrl.indexOf('?');
    const info: FinishedRequest = {
      method: ex.req.method ?? 'GET',
      path: q === -1 ? ex.originalUrl : ex.originalUrl.slice(0, q),
      status: complete ? this.statusCode : 499,
      durationMs: Math.round((performance.now() - ex.startedAt) * 1000) / 1000,
    };
    accessLog?.(info, ex.ctx.requestId, ex.ctx.client.address, workerId, ex.ctx.trace?.traceId);
    observer?.finished(info, ex);
    if (hooks?.postRequest) {
      try {
        hooks.postRequest(ex, info);
      } catch (error) {
        logger.error({ err: error, requestId: ex.ctx.requestId, workerId }, 'the postRequest hook threw');
      }
    }
  }

  return function gatewayListener(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = performance.now();
    // Before anything reads Host or the target: an absolute-form target is rewritten here.
    const edge = checkEdge(req);
    const forwarded = resolveForwarded(trust, peerOf(req.socket), req.headers);
    const incomingId = forwarded.trusted ? req.headers['x-request-id'] : undefined;
    const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : nextRequestId();
    const route = matchRoute(routes, req.url ?? '/');
    const ex = new RequestExchange(req, res, new RequestContext(forwarded, requestId, workerId, route?.prefix ?? '', req.headers), startedAt);
    ex.route = route;
    (req as TaggedRequest)[kExchange] = ex;
    observer?.started(ex);
    setRequestId(res, requestId);
    res.on('close', onClose);
    if (edge) {
      if (edge.reason) logger.warn({ requestId, workerId, client: ex.ctx.client.address }, `refused with ${edge.status}: ${edge.reason}`);
      return respondDirect(res, edge.status, edge.text, edge.reason !== undefined);
    }
    if (req.headers['transfer-encoding'] !== undefined) {
      dropForbiddenTrailers(req, (fields, message) => logger.warn({ ...fields, requestId, workerId }, message));
    }
    if (maxBodyBytes > 0) {
      const length = req.headers['content-length'];
      if (length !== undefined && Number(length) > maxBodyBytes) return respondDirect(res, 413, 'Payload Too Large', true);
      if (length === undefined && req.headers['transfer-encoding'] !== undefined) limitChunkedBody(req, res, maxBodyBytes);
    }
    if (requestTimeoutMs > 0) {
      ex.bytesWritten = req.socket.bytesWritten;
      ex.timer = setTimeout(onDeadline, requestTimeoutMs, ex);
    }
    if (steps.length === 0) dispatch(ex);
    else runChain(ex, 0);
  };
}
