/**
 * What the gateway hands the app beside the request (the 2nd argument of `fetch`, which Hono
 * exposes as `c.env`). The app declares only the fields it reads, structurally, so it does not
 * import the gateway: any server that passes these (or none of them, as `npm run dev` does) works.
 */
import type { Context } from 'hono';

/** The gateway's per-request context, as far as this app uses it. */
export interface GatewayContext {
  /** Stable slot number of the worker (1..n). */
  workerId?: number;
  /** The request's id: nginx's `X-Request-Id`, or one the gateway made up. */
  requestId?: string;
  /** Fires when the client goes away or the request deadline passes. */
  signal?: AbortSignal;
  /** The client's address after the trusted-proxy rules. */
  client?: { address?: string };
}

/** Hono's type parameter for this app: the gateway context arrives as `c.env`. */
export type AppEnv = { Bindings: GatewayContext };

/** Which process answered: the worker id (0 when not under the gateway) and the pid. */
export function whoAnswered(c: Context<AppEnv>): { workerId: number; pid: number; requestId: string | null } {
  const env = c.env ?? {};
  return {
    workerId: typeof env.workerId === 'number' ? env.workerId : 0,
    pid: process.pid,
    requestId: env.requestId ?? c.req.header('x-request-id') ?? null,
  };
}

/** The request's abort signal: the gateway's when present, else the Request's own. */
export function requestSignal(c: Context<AppEnv>): AbortSignal {
  return c.env?.signal ?? c.req.raw.signal;
}
