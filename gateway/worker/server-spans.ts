/**
 * OpenTelemetry server spans, when the app has OpenTelemetry set up: `@opentelemetry/api`
 * resolvable from an app module's folder and a tracer provider registered by the time the apps'
 * init() has finished. Then each request gets a SERVER span with the HTTP semantic-convention
 * attributes, parented on the request's W3C trace context (ctx.trace), and the span is the active
 * context while the app handles the request, so the app's own spans are its children.
 *
 * The kit depends on no OpenTelemetry package: the API is loaded from the app's own
 * node_modules, the one the app registered its provider through (the API keeps its globals
 * on `globalThis`, so another copy of API 1.x sees the same provider and context manager). Without
 * it the worker adds nothing to the request path.
 */
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import type { Middleware, Mount } from '../interface/index.ts';

/** The part of @opentelemetry/api 1.x used here, declared structurally: no type import of it. */
interface SpanContext { traceId: string; spanId: string; traceFlags: number; isRemote?: boolean; traceState?: unknown }
interface Span {
  setAttribute(key: string, value: string | number): unknown;
  setStatus(status: { code: number }): unknown;
  end(): void;
}
type Context = object;
interface OtelApi {
  ROOT_CONTEXT: Context;
  SpanKind: { SERVER: number };
  SpanStatusCode: { ERROR: number };
  createTraceState(text?: string): unknown;
  trace: {
    getTracerProvider(): { getDelegateTracer?(name: string): unknown };
    getTracer(name: string): { startSpan(name: string, options: { kind: number; attributes: Record<string, string | number> }, context: Context): Span };
    setSpan(context: Context, span: Span): Context;
    setSpanContext(context: Context, spanContext: SpanContext): Context;
    getSpan(context: Context): Span | undefined;
  };
  context: { with(context: Context, fn: () => void): void; active(): Context };
}

const TRACER_NAME = 'ts-gateway-kit';

/** The methods HTTP semantic conventions name; any other is `_OTHER`. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);

/** The API as the first app module (in mount order) that can resolve it sees it; undefined when none can. */
export function loadOtelApi(mounts: Mount[], cwd: string): { api: OtelApi; from: string } | undefined {
  for (const { module } of mounts) {
    const require = createRequire(isAbsolute(module) ? module : resolve(cwd, module));
    let from: string;
    try {
      from = require.resolve('@opentelemetry/api');
    } catch {
      continue;
    }
    const api = require(from) as Partial<OtelApi>;
    if (typeof api.trace?.getTracer === 'function' && typeof api.context?.with === 'function' && api.SpanKind) return { api: api as OtelApi, from };
  }
  return undefined;
}

/**
 * Whether a tracer provider is registered. API 1.x always hands out its proxy provider, which
 * knows a delegate only once one was registered; a provider without that method is a real one.
 */
export function tracerRegistered(api: OtelApi): boolean {
  const provider = api.trace.getTracerProvider();
  return typeof provider.getDelegateTracer !== 'function' || provider.getDelegateTracer(TRACER_NAME) !== undefined;
}

/** `host[:port]` (IPv6 in brackets) → address and port; no port → the scheme's. */
function splitHost(host: string, scheme: 'http' | 'https'): [string, number] {
  const colon = host.lastIndexOf(':');
  const port = colon > host.lastIndexOf(']') ? Number(host.slice(colon + 1)) : NaN;
  const address = Number.isInteger(port) ? host.slice(0, colon) : host;
  return [address.replace(/^\[(.*)\]$/, '$1'), Number.isInteger(port) ? port : scheme === 'https' ? 443 : 80];
}

/** The middleware that records one SERVER span per request; put it first, so everything after runs inside it. */
export function serverSpans(api: OtelApi): Middleware {
  const tracer = api.trace.getTracer(TRACER_NAME);
  return (ex, next) => {
    // A span already active here is a server span someone else made for this request:
    // OpenTelemetry's own node:http instrumentation wraps every http.Server's 'request' event,
    // the worker's too. A second SERVER span would count each request twice.
    if (api.trace.getSpan(api.context.active())) return next();
    const { req, res, ctx } = ex;
    const incoming = ctx.trace;
    const parent = incoming
      ? api.trace.setSpanContext(api.ROOT_CONTEXT, {
          traceId: incoming.traceId,
          spanId: incoming.parentId,
          traceFlags: incoming.flags,
          isRemote: true,
          ...(incoming.tracestate ? { traceState: api.createTraceState(incoming.tracestate) } : {}),
        })
      : api.ROOT_CONTEXT;
    const method = req.method ?? 'GET';
    const known = KNOWN_METHODS.has(method);
    const [serverAddress, serverPort] = splitHost(ctx.host, ctx.scheme);
    const q = ex.originalUrl.indexOf('?');
    // Given at the start, so a sampler sees them (the semantic conventions ask for that).
    const attributes: Record<string, string | number> = {
      'http.request.method': known ? method : '_OTHER',
      'url.path': q === -1 ? ex.originalUrl : ex.originalUrl.slice(0, q),
      'url.scheme': ctx.scheme,
      'server.address': serverAddress,
      'server.port': serverPort,
      'network.protocol.version': req.httpVersion,
      'client.address': ctx.client.address,
    };
    if (!known) attributes['http.request.method_original'] = method;
    if (ctx.client.port) attributes['client.port'] = ctx.client.port;
    if (req.socket.remoteAddress) attributes['network.peer.address'] = req.socket.remoteAddress;
    const agent = req.headers['user-agent'];
    if (agent) attributes['user_agent.original'] = agent;
    const span = tracer.startSpan(known ? method : 'HTTP', { kind: api.SpanKind.SERVER, attributes }, parent);
    res.once('close', () => {
      // A client that left before the head went out got no status at all.
      if (res.headersSent) {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) {
          span.setAttribute('error.type', String(res.statusCode));
          span.setStatus({ code: api.SpanStatusCode.ERROR });
        }
      }
      span.end();
    });
    api.context.with(api.trace.setSpan(parent, span), next);
  };
}
