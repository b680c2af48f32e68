/**
 * Mounting several apps in one gateway by path prefix (what WSGI's URL-dispatch middleware did).
 * The longest matching prefix wins, on segment boundaries: `/api` takes `/api`, `/api/x` and
 * `/api?q`, never `/apix`. The app sees the path with its prefix stripped (WSGI's SCRIPT_NAME /
 * PATH_INFO split): `/api/users?x=1` reaches the `/api` app as `/users?x=1`, and `/api` as `/`.
 */
import { GatewayError } from '../errors.ts';

/** A prefix as stored: `''` stands for the root mount `'/'`. */
export interface Route<T> {
  prefix: string;
  target: T;
}

/** Checks and normalises one configured prefix: `'/'` → `''`, `'/api'` stays, `'/api/'` is refused. */
export function normalizePrefix(prefix: string): string {
  if (prefix === '/') return '';
  const valid = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(prefix);
  if (!valid) {
    throw new GatewayError('CONFIG_INVALID', `mount prefix "${prefix}" must be "/" or a path like "/api" (no trailing slash)`);
  }
  return prefix;
}

/** Routes sorted for longest-prefix matching; refuses two mounts at the same prefix. */
export function sortRoutes<T>(routes: Route<T>[]): Route<T>[] {
  const seen = new Set<string>();
  for (const { prefix } of routes) {
    if (seen.has(prefix)) throw new GatewayError('CONFIG_INVALID', `two apps are mounted at "${prefix || '/'}"`);
    seen.add(prefix);
  }
  return [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
}

/** The route for a request target (`req.url`), or undefined (→ 404). `routes` must be sorted. */
export function matchRoute<T>(routes: readonly Route<T>[], url: string): Route<T> | undefined {
  for (const route of routes) {
    const p = route.prefix;
    if (p === '') return route;
    if (url.startsWith(p)) {
      const next = url.charCodeAt(p.length);
      // end of string, '/', '?' or '#': a segment boundary
      if (Number.isNaN(next) || next === 47 || next === 63 || next === 35) return route;
    }
  }
  return undefined;
}

/** The request target the mounted app sees: prefix removed, always starting with '/'. */
export function stripPrefix(url: string, prefix: string): string {
  if (prefix === '') return url;
  const rest = url.slice(prefix.length);
  return rest === '' || rest[0] !== '/' ? `/${rest}` : rest;
}
