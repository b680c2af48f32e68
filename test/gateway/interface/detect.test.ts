/**
 * App-interface detection: the rules on hand-picked shapes, then fast-check over arbitrary module
 * shapes (hostile ones included): it classifies correctly and never throws anything but a
 * GatewayError('APP_EXPORT_INVALID').
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import fc from 'fast-check';
import { GatewayError } from '../../../gateway/errors.ts';
import { detectApp } from '../../../gateway/interface/index.ts';

function codeOf(thunk: () => unknown): string | undefined {
  try {
    thunk();
    return undefined;
  } catch (error) {
    return error instanceof GatewayError ? error.code : `not a GatewayError: ${String(error)}`;
  }
}

describe('detectApp: the rules', () => {
  test('an object with fetch() is a fetch app', () => {
    const app = { fetch: () => new Response('x') };
    expect(detectApp({ default: app })).toEqual({ kind: 'fetch', app });
  });
  test('a function with a fetch() method is a fetch app, not a listener', () => {
    const app = Object.assign(() => undefined, { fetch: () => new Response('x') });
    expect(detectApp({ default: app }).kind).toBe('fetch');
  });
  test('a class instance whose fetch is on the prototype (as Hono defines it) is a fetch app', () => {
    class App {
      fetch(): Response {
        return new Response('x');
      }
    }
    expect(detectApp({ default: new App() }).kind).toBe('fetch');
  });
  test('a plain (req, res) function is a Node listener; so is a 3-argument Express-style one', () => {
    expect(detectApp({ default: (_req: unknown, _res: unknown) => undefined }).kind).toBe('node');
    expect(detectApp({ default: (_req: unknown, _res: unknown, _next: unknown) => undefined }).kind).toBe('node');
  });
  test('an http.Server not yet listening is a Node app served through its own listeners', async () => {
    const server = createServer((_req, res) => res.end('x'));
    const detected = detectApp({ default: server });
    expect(detected).toEqual({ kind: 'server', server });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    expect(() => detectApp({ default: server }, 'srv.ts')).toThrow('already listening: export it before calling listen()');
    server.close();
  });
  test.each([
    ['a number', 42, 'a number'],
    ['null', null, 'null'],
    ['an object without fetch', { handler: 1 }, 'keys [handler]'],
    ['an object whose fetch is not a function', { fetch: 'no' }, 'keys [fetch]'],
    ['a Koa application', { callback: () => undefined, use: () => undefined }, 'app.callback()'],
  ])('refuses %s, saying what it found', (_name, value, words) => {
    expect(() => detectApp({ default: value }, 'mod.ts')).toThrow(words);
    expect(codeOf(() => detectApp({ default: value }))).toBe('APP_EXPORT_INVALID');
  });
  test('a module without a default export is refused, naming its exports', () => {
    expect(() => detectApp({ fetch: () => undefined, helper: 1 }, 'mod.ts')).toThrow('no default export (named exports: [fetch, helper])');
  });
  test('init/close that are not functions are refused', () => {
    expect(() => detectApp({ default: { fetch: () => undefined, init: 'soon' } })).toThrow('`init` is a string');
    expect(() => detectApp({ default: { fetch: () => undefined, close: {} } })).toThrow('`close` is an object');
  });
  test('a getter that throws becomes APP_EXPORT_INVALID, with the cause kept', () => {
    const hostile = {
      get fetch(): never {
        throw new Error('boom');
      },
    };
    expect(codeOf(() => detectApp({ default: hostile }))).toBe('APP_EXPORT_INVALID');
  });
});

/** Arbitrary export values: data, functions, objects with or without a fetch method, hostile ones. */
const hostile = fc.constantFrom<unknown>(
  // fast-check itself asks `cloneMethod in value`; every other question throws.
  new Proxy({}, {
    get: () => { throw new Error('get trap'); },
    has: (_target, key) => { if (key === fc.cloneMethod) return false; throw new Error('has trap'); },
  }),
  new Proxy(() => undefined, { get: () => { throw new Error('get trap'); } }),
  Object.create(null) as unknown,
  Object.defineProperty({}, 'fetch', { get: () => { throw Object.create(null); } }),
);
const fetchApp = fc.record(
  { fetch: fc.constant(() => new Response('x')), init: fc.option(fc.constant(async () => undefined), { nil: undefined }) },
  { requiredKeys: ['fetch'] },
);
const listener = fc.constantFrom<unknown>((_a: unknown, _b: unknown) => undefined, function named() {}, async () => undefined);
const exported = fc.oneof(fc.anything(), fetchApp, listener, hostile);

describe('detectApp: properties', () => {
  test('never throws anything but GatewayError(APP_EXPORT_INVALID)', () => {
    fc.assert(
      fc.property(fc.oneof(exported, fc.record({ default: exported }), fc.dictionary(fc.string(), exported)), (namespace) => {
        const code = codeOf(() => detectApp(namespace));
        return code === undefined || code === 'APP_EXPORT_INVALID';
      }),
      { numRuns: 500 },
    );
  });

  test('classifies by the rules: fetch method → fetch; other function → node; anything else → refused', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fetchApp, listener), (value) => {
        const hasFetch = typeof value === 'object' && value !== null && typeof (value as { fetch?: unknown }).fetch === 'function';
        const expected = hasFetch ? 'fetch' : typeof value === 'function' ? 'node' : 'APP_EXPORT_INVALID';
        let got: string;
        try {
          got = detectApp({ default: value }).kind;
        } catch (error) {
          got = (error as GatewayError).code;
        }
        return got === expected;
      }),
      { numRuns: 500 },
    );
  });
});
