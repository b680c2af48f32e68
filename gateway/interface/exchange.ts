/**
 * Per-request state: the app's GatewayContext and the gateway's own bookkeeping. The AbortSignal
 * is created only when someone reads `ctx.signal`: most requests never do, and an AbortController
 * per request is the largest allocation the gateway would otherwise add.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Forwarded } from './proxy.ts';
import { parseTraceContext } from './trace-context.ts';
import type { Exchange, GatewayContext, TraceContext } from './types.ts';

/** Why ctx.signal fired. */
export type AbortCause = 'disconnect' | 'deadline';

/** The `ctx` argument of fetch apps (and `contextOf(req)` for Node listeners). */
export class RequestContext implements GatewayContext {
  readonly client: { address: string; port: number };
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly requestId: string;
  readonly workerId: number;
  readonly mountPrefix: string;
  #controller: AbortController | undefined;
  #abortedBy: AbortCause | undefined;
  /** The raw headers until `trace` is first read (most apps never read it). */
  #traceparent: string | string[] | undefined;
  #tracestate: string | string[] | undefined;
  #trace: TraceContext | undefined | null = null;

  constructor(forwarded: Forwarded, requestId: string, workerId: number, mountPrefix: string, headers?: IncomingHttpHeaders) {
    this.client = { address: forwarded.address, port: forwarded.port };
    this.scheme = forwarded.scheme;
    this.host = forwarded.host;
    this.requestId = requestId;
    this.workerId = workerId;
    this.mountPrefix = mountPrefix;
    // Believed from the peers whose X-Request-Id is believed, for the same reason: a client
    // talking to a worker directly must not pick the ids its request is filed under.
    if (forwarded.trusted && headers) {
      this.#traceparent = headers.traceparent;
      this.#tracestate = headers.tracestate;
    }
  }

  get trace(): TraceContext | undefined {
    if (this.#trace === null) this.#trace = parseTraceContext(this.#traceparent, this.#tracestate);
    return this.#trace;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortedBy) this.#controller.abort(reasonFor(this.#abortedBy));
    }
    return this.#controller.signal;
  }

  /** Marks the request aborted; fires the signal if anyone holds it (else the getter does). */
  abort(cause: AbortCause): void {
    if (this.#abortedBy) return;
    this.#abortedBy = cause;
    this.#controller?.abort(reasonFor(cause));
  }

  get abortedBy(): AbortCause | undefined {
    return this.#abortedBy;
  }
}

function reasonFor(cause: AbortCause): DOMException {
  return cause === 'deadline'
    ? new DOMException('the request deadline passed', 'TimeoutError')
    : new DOMException('the client disconnected', 'AbortError');
}

/** One request through the gateway; what middleware and hooks receive. */
export class RequestExchange implements Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: RequestContext;
  readonly originalUrl: string;
  readonly startedAt: number;
  /** The deadline timer, when requestTimeoutMs is on. */
  timer: NodeJS.Timeout | undefined;
  /** The socket's bytesWritten when the deadline was last checked (an idle limit once streaming). */
  bytesWritten = 0;
  /** The mount that will serve the request (found before the middleware runs); undefined → 404. */
  route: { prefix: string; target: unknown } | undefined;
  /** Settles a fetch app's pending response with a 504 when the deadline passes. */
  onDeadline: ((response: Response) => void) | undefined;

  constructor(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, startedAt: number) {
    this.req = req;
    this.res = res;
    this.ctx = ctx;
    this.originalUrl = req.url ?? '/';
    this.startedAt = startedAt;
  }
}
