/**
 * Node → fetch adaptation for fetch apps, by @hono/node-server's `getRequestListener`: the fastest
 * of the adapters measured in bench/adapters.ts (figures in docs/adapters.md). It replaces the
 * global Request/Response with lightweight versions (its default, `overrideGlobalObjects`), which
 * is where its speed comes from: `new Response('text')` in the app never builds a web stream.
 *
 * The bridge adds only what the gateway needs around `app.fetch`: the ctx argument, a 500 for a
 * throwing app (logged with the request id), and the deadline's 504 raced against the app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { RequestExchange } from './exchange.ts';
import type { FetchApp } from './types.ts';

/** Where the listener leaves the exchange for the bridge (and for contextOf). */
export const kExchange: unique symbol = Symbol('gateway.exchange');

/** A request that carries its exchange. */
export type TaggedRequest = IncomingMessage & { [kExchange]?: RequestExchange };

/** Turns a thrown error into the response the client gets. */
export type ErrorResponder = (ex: RequestExchange, error: unknown) => Response;

/** What the app's fetch() settled with, when that is not a Response (a common slip: a missing return). */
function notAResponse(value: unknown): TypeError {
  const got = value === null ? 'null' : typeof value === 'object' ? `an object (${value.constructor?.name ?? 'no prototype'})` : typeof value;
  return new TypeError(`fetch() must return a Response (or a promise of one), got ${got}`);
}

function isPromise(value: unknown): value is Promise<Response> {
  return typeof (value as Promise<Response> | undefined)?.then === 'function';
}

/** A Node listener that runs `app.fetch(request, ctx)`; the exchange must be on `req[kExchange]`. */
export function bridgeFetchApp(
  app: FetchApp,
  onError: ErrorResponder,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return getRequestListener(
    (request, env) => {
      const ex = (env.incoming as TaggedRequest)[kExchange]!;
      let result: Response | Promise<Response>;
      try {
        result = app.fetch(request, ex.ctx);
      } catch (error) {
        return onError(ex, error);
      }
      // A synchronous Response keeps hono's fast path (no promise at all).
      if (!isPromise(result)) return result instanceof Response ? result : onError(ex, notAResponse(result));
      const settled = result.then(
        (response: unknown) => (response instanceof Response ? response : onError(ex, notAResponse(response))),
        (error: unknown) => onError(ex, error),
      );
      if (ex.timer === undefined) return settled;
      // With a deadline, the listener may settle this first with a 504 (ex.onDeadline).
      return new Promise<Response>((resolve) => {
        ex.onDeadline = resolve;
        void settled.then(resolve);
      });
    },
    { overrideGlobalObjects: true },
  ) as (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}
