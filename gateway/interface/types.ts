/**
 * The gateway interface, our WSGI: what an app module exports, what it receives with each request,
 * and what the worker passes in when it builds a request listener. Types only,
 * so every layer may import it. The prose version is docs/interface.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** One app mounted at a path prefix: `'/'` catches everything no longer prefix claims. */
export interface Mount {
  /** `'/'` or a path without a trailing slash, such as `'/api'` or `'/admin/v2'`. */
  prefix: string;
  /** Path of the app module, absolute or relative to `cwd`. */
  module: string;
}

/** What WSGI's environ carried beyond the request itself; the second argument of `fetch`. */
export interface GatewayContext {
  /** The client, after the trusted-proxy rules; `port` is 0 when the address came from X-Forwarded-For. */
  client: { address: string; port: number };
  /** After the trusted-proxy rules (X-Forwarded-Proto from a trusted peer). */
  scheme: 'http' | 'https';
  /** After the trusted-proxy rules (X-Forwarded-Host from a trusted peer, else Host). */
  host: string;
  /** X-Request-Id from a trusted proxy, else generated; echoed in the response. */
  requestId: string;
  /** The worker's number, unique while the master lives (a replacement gets a new one). */
  workerId: number;
  /** The prefix this app is mounted at (WSGI's SCRIPT_NAME); `''` for the `'/'` mount. */
  mountPrefix: string;
  /** Fires on client disconnect (reason: an AbortError) or the request deadline (a TimeoutError). */
  signal: AbortSignal;
  /**
   * The W3C trace context a trusted proxy sent (`traceparent`, `tracestate`), undefined when none
   * or an invalid one arrived. Behind the kit's nginx every request has one.
   */
  readonly trace?: TraceContext | undefined;
}

/** A request's incoming W3C trace context (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  /** 32 lowercase hex digits, never all zeros. */
  traceId: string;
  /** The caller's span: 16 lowercase hex digits, never all zeros. */
  parentId: string;
  /** The trace-flags byte; bit 0 is `sampled`. */
  flags: number;
  /** The caller recorded (or may have recorded) this trace. */
  sampled: boolean;
  /** The header as it arrived, to pass on unchanged. */
  traceparent: string;
  /** The vendor list as it arrived (trimmed); absent when there was none. */
  tracestate?: string;
}

/** The WinterTC-style app: what Hono, Bun, Deno and Cloudflare Workers export. */
export interface FetchApp {
  fetch(request: Request, ctx: GatewayContext): Response | Promise<Response>;
  /** After the worker started, before it takes traffic. A throw stops the gateway (exit 4). */
  init?(ctx: { workerId: number }): void | Promise<void>;
  /** On graceful stop, after the last request finished. */
  close?(): void | Promise<void>;
  /**
   * When the worker starts draining, before its WebSockets get their close frame and its event
   * streams end: the moment to close the app's own transports its own way (or save state).
   */
  drain?(): void | Promise<void>;
}

/** A plain Node request listener: Express apps, Koa's `app.callback()`, `node:http` handlers. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The interface kinds an app module can have: the two default exports, or `server`, an
 * `http.Server` the module listened on and the gateway adopted (see adopt.ts).
 */
export type AppKind = 'fetch' | 'node' | 'server';

/** Every mounted app of a worker, loaded and classified. */
export interface AppSet {
  /** One entry per mount, in the order the mounts were given. */
  kinds: ReadonlyArray<AppKind>;
  /** Runs every fetch app's `init` in mount order; a failure is GatewayError('APP_INIT_FAILED'). */
  init(ctx: { workerId: number }): Promise<void>;
  /** When the worker starts draining: every fetch app's `drain`, and every server app's server is closed ('close'). */
  drain?(): Promise<void>;
  /** Runs every fetch app's `close` and closes adopted servers (all of them, even when one throws). */
  close(): Promise<void>;
}

/** Gets told about every request, for the worker's counters (in-flight, requests, latency). */
export interface RequestObserver {
  started(ex: Exchange): void;
  finished(info: FinishedRequest, ex: Exchange): void;
}

/** One finished request as the access log and the observer see it. */
export interface FinishedRequest {
  method: string;
  /** The path as the client sent it (before mount stripping), without the query string. */
  path: string;
  /** 499 when the client went away before the response was complete (nginx's convention). */
  status: number;
  durationMs: number;
}

/** Writes the access-log line of one finished request (gateway/access-log.ts builds the default one). */
export type AccessLine = (info: FinishedRequest, requestId: string, client: string, workerId: number, traceId?: string) => void;

/**
 * One request on its way through the gateway, as middleware sees it. `req`/`res` are Node's own:
 * the gateway does its work without any fetch conversion.
 */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: GatewayContext;
  /** The URL path and query as the client sent them (`req.url` is rewritten for mounted apps). */
  readonly originalUrl: string;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
}

/**
 * A step of the chain around every app, Connect-style: call `next()` to go on (now or later), or
 * answer through `ex.res` and do not call it. A throw (or a rejected promise) answers 500.
 * Runs after the built-in steps (trusted proxy → request id → access log), in array order.
 */
export type Middleware = (ex: Exchange, next: () => void) => void | Promise<void>;

/** gunicorn's pre_request/post_request, per request, in the worker. */
export interface RequestHooks {
  /** After the middleware chain, just before the app; a throw answers 500. */
  preRequest?(ex: Exchange): unknown;
  /** When the response is complete (or the client went away); a throw is logged only. */
  postRequest?(ex: Exchange, info: FinishedRequest): unknown;
}

/** What the worker passes to createRequestListener. */
export interface ListenerOptions {
  workerId: number;
  /** Peers whose X-Forwarded-* and X-Request-Id are believed: IPs, CIDRs, or `'*'` for all. */
  forwardedAllowIps: string[];
  /** 0 = off. Past it: 504 when nothing was sent yet (else the connection is cut), and ctx.signal aborts. */
  requestTimeoutMs: number;
  /** 413 when Content-Length or the streamed body exceeds it; 0 = no limit. */
  maxBodyBytes: number;
  logger: Logger;
  /** Writes one access-log line per finished request; absent, the access log is off. */
  accessLog?: AccessLine;
  middleware?: Middleware[];
  hooks?: RequestHooks;
  observer?: RequestObserver;
}
