/**
 * A real Hono app and a real Express app, each exported unmodified, run by the gateway: alone at
 * '/', and side by side in one listener under their own prefixes (several frameworks, one worker).
 */
import { fileURLToPath } from 'node:url';
import { loadApps } from '../../../gateway/interface/index.ts';
import { serve, type Served } from './serve.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/apps/', import.meta.url));

describe.each([
  ['hono-app.ts', 'fetch', 'hello from hono'],
  ['express-app.ts', 'node', 'hello from express'],
])('%s at /', (module, kind, greeting) => {
  let served: Served;
  beforeAll(async () => {
    const apps = await loadApps([{ prefix: '/', module }], { cwd: fixtures });
    expect(apps.kinds).toEqual([kind]);
    served = await serve(apps, { workerId: 2 });
  });
  afterAll(() => served.close());

  test('serves its routes, params and JSON bodies', async () => {
    expect(await (await fetch(`${served.url}/`)).text()).toBe(greeting);
    expect(await (await fetch(`${served.url}/users/42`)).json()).toMatchObject({ id: '42', path: '/users/42' });
    const created = await fetch(`${served.url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2]}' });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ got: { a: [1, 2] } });
  });

  test('sees the gateway context', async () => {
    const res = await fetch(`${served.url}/ctx`, { headers: { 'x-request-id': 'fw-1' } });
    expect(await res.json()).toEqual({ requestId: 'fw-1', workerId: 2, mountPrefix: '' });
    expect(res.headers.get('x-request-id')).toBe('fw-1');
  });

  test("unknown routes get the framework's own 404", async () => {
    expect((await fetch(`${served.url}/nope`)).status).toBe(404);
  });
});

describe('Hono and Express mounted side by side', () => {
  let served: Served;
  beforeAll(async () => {
    const apps = await loadApps(
      [
        { prefix: '/hono', module: 'hono-app.ts' },
        { prefix: '/express', module: 'express-app.ts' },
        { prefix: '/', module: 'fetch-conformance.ts' },
      ],
      { cwd: fixtures },
    );
    served = await serve(apps);
  });
  afterAll(() => served.close());

  test('each prefix reaches its app, which sees the path without the prefix', async () => {
    expect(await (await fetch(`${served.url}/hono/users/1`)).json()).toMatchObject({ path: '/users/1' });
    expect(await (await fetch(`${served.url}/express/users/2`)).json()).toEqual({ id: '2', path: '/users/2', originalUrl: '/express/users/2' });
    expect(await (await fetch(`${served.url}/hello`)).text()).toBe('hello');
  });

  test('ctx.mountPrefix names the mount (SCRIPT_NAME)', async () => {
    expect(await (await fetch(`${served.url}/hono/ctx`)).json()).toMatchObject({ mountPrefix: '/hono' });
    expect(await (await fetch(`${served.url}/express/ctx`)).json()).toMatchObject({ mountPrefix: '/express' });
  });

  test('a path that only looks like a prefix (/honorary) goes to the root app', async () => {
    // All three apps answer it 404; only the body tells whose 404 it is (Hono says "404 Not
    // Found", Express "Cannot GET …", the root fixture "not found").
    const honorary = await fetch(`${served.url}/honorary`);
    expect(honorary.status).toBe(404);
    expect(await honorary.text()).toBe('not found');
    expect(await (await fetch(`${served.url}/hono`)).text()).toBe('hello from hono');
  });
});
