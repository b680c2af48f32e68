/**
 * Which interface an app module's default export speaks. The rules, in order:
 * 0. an `http.Server` not yet listening is a Node app served through that server's own listeners
 *    (how `ws` and socket.io attach to it);
 * 1. an object (or function) with a `fetch` method is a fetch app (Hono, itty, a plain `{ fetch }`);
 * 2. otherwise a function is a Node listener (Express apps, Koa's `callback()`, `(req, res) => …`);
 * 3. anything else is refused with GatewayError('APP_EXPORT_INVALID') naming what was found.
 * A Koa *application* object (not its `callback()`) gets a hint, since that mistake is common.
 */
import { GatewayError } from '../errors.ts';
import { Server } from 'node:http';
import type { FetchApp, NodeListener } from './types.ts';

/** The result of classifying one export, or an adopted server (load.ts). */
export type DetectedApp = { kind: 'fetch'; app: FetchApp } | { kind: 'node'; listener: NodeListener } | { kind: 'server'; server: Server };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).slice(0, 8).join(', ')}]`;
  return `a ${typeof value}`;
}

function checkLifecycle(value: object, where: string): void {
  for (const name of ['init', 'close', 'drain'] as const) {
    const hook: unknown = (value as Record<string, unknown>)[name];
    if (hook !== undefined && typeof hook !== 'function') {
      throw new GatewayError('APP_EXPORT_INVALID', `${where}: \`${name}\` is ${describe(hook)}, not a function`);
    }
  }
}

function classify(value: unknown, where: string): DetectedApp {
  // An http.Server that is not listening: the app's own server, which ws and socket.io attach to.
  // Its request listeners serve requests and its upgrade listeners take upgrades.
  if (value instanceof Server) {
    if (value.listening) return fail(where, 'the exported http.Server is already listening: export it before calling listen()');
    return { kind: 'server', server: value };
  }
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
    const fetch: unknown = (value as Record<string, unknown>).fetch;
    if (typeof fetch === 'function') {
      checkLifecycle(value, where);
      return { kind: 'fetch', app: value as FetchApp };
    }
  }
  if (typeof value === 'function') return { kind: 'node', listener: value as NodeListener };
  const koa =
    typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).callback === 'function'
      ? ' (a Koa app? export default app.callback())'
      : '';
  return fail(where, `the default export is ${describe(value)}${koa}`);
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'an unprintable value';
  }
}

function fail(where: string, why: string): never {
  throw new GatewayError('APP_EXPORT_INVALID', `${where}: ${why}`);
}

/**
 * Classifies a module namespace (what `import()` returned). Never throws anything but a
 * GatewayError, whatever the module holds: throwing getters and proxies included.
 */
export function detectApp(namespace: unknown, where = 'app module'): DetectedApp {
  try {
    if (typeof namespace !== 'object' || namespace === null) return fail(where, `the module is ${describe(namespace)}`);
    if (!('default' in namespace)) {
      const named = Object.keys(namespace).slice(0, 8).join(', ');
      return fail(where, `no default export (named exports: [${named}])`);
    }
    return classify((namespace as { default: unknown }).default, where);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('APP_EXPORT_INVALID', `${where}: inspecting the export threw: ${safeString(error)}`, {
      cause: error,
    });
  }
}
