/**
 * Adoption ("reverse port binding"): modules that call listen() themselves, loaded through
 * loadApps with a ListenCapture as the worker does, then served by the gateway's request path.
 */
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { captureListen, loadApps, type ListenCapture, type MountedApps } from '../../../gateway/interface/index.ts';
import type { GatewayError } from '../../../gateway/errors.ts';
import { gatewayErrorOf } from '../../support/errors.ts';
import { freePort, isBound } from '../../support/net.ts';
import { serve, type Served } from './serve.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/apps/listen/', import.meta.url));

let capture: ListenCapture;
let late: GatewayError[];
let served: Served | undefined;
beforeEach(() => {
  late = [];
  capture = captureListen({ onLateRefusal: (error) => late.push(error) });
});
afterEach(async () => {
  capture.restore();
  await served?.close();
  served = undefined;
});

const load = (module: string, listenWaitMs = 2000) => loadApps([{ prefix: '/', module }], { cwd: fixtures, capture, listenWaitMs });

/** Serves the apps as the worker does: its own server listens, then the adopted ones hear of it. */
async function host(apps: MountedApps): Promise<Served> {
  served = await serve(apps);
  capture.announce(served.server.address());
  return served;
}


describe('adopted servers', () => {
  test('listen(port): the request goes through the gateway (request id) and the port stays unbound', async () => {
    const port = await freePort();
    process.env.FIXTURE_PORT = String(port);
    const apps = await load('port.ts');
    expect(apps.kinds).toEqual(['server']);
    const { url, server } = await host(apps);
    const res = await fetch(`${url}/hello?x=1`);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    expect(await res.text()).toBe(`adopted GET /hello?x=1 id=\n`);
    expect(await isBound(port)).toBe(false);
    const { events } = (await import('../../fixtures/apps/listen/port.ts')) as { events: string[] };
    expect(events).toEqual([`listening ${JSON.stringify(server.address())}`]);
    await apps.close();
    expect(events.at(-1)).toBe('close');
  });

  test('listen({ port, host }) is adopted the same way', async () => {
    const port = await freePort();
    process.env.FIXTURE_PORT = String(port);
    const { url } = await host(await load('options.ts'));
    expect(await (await fetch(url)).text()).toBe('options\n');
    expect(await isBound(port)).toBe(false);
  });

  test('listen(callback): the callback runs once the gateway listens, and address() is the gateway’s', async () => {
    const apps = await load('callback.ts');
    const { events } = (await import('../../fixtures/apps/listen/callback.ts')) as { events: string[] };
    expect(events).toEqual([]);
    const { url, server } = await host(apps);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([`callback listening=true ${JSON.stringify(server.address())}`]);
    expect((server.address() as AddressInfo).port).toBeGreaterThan(0);
    expect(await (await fetch(url)).text()).toBe('callback\n');
  });

  test('a server that listens late (after an await, the import long finished) is waited for', async () => {
    const port = await freePort();
    process.env.FIXTURE_PORT = String(port);
    const { url } = await host(await load('late.ts'));
    expect(await (await fetch(url)).text()).toBe('late\n');
    expect(await isBound(port)).toBe(false);
  });

  test('a module that awaits its own listen() at top level (Fastify) boots: the listen ends the wait, not the import', async () => {
    const port = await freePort();
    process.env.FIXTURE_PORT = String(port);
    const { url } = await host(await load('awaits-listen.ts'));
    expect(await (await fetch(url)).text()).toBe('awaited\n');
    const module = (await import('../../fixtures/apps/listen/awaits-listen.ts')) as { listenedAt: number };
    expect(module.listenedAt).toBeGreaterThan(0);
  });

  test('an import that throws right after listen() is APP_IMPORT_FAILED with its reason', async () => {
    const error = await gatewayErrorOf(load('throws-after-listen.ts'));
    expect(error.code).toBe('APP_IMPORT_FAILED');
    expect(error.message).toContain('throws-after-listen.ts: fixture: configuration missing after listen');
  });

  test.each([
    ['two-servers.ts', 'a second http.Server (port 9100); the gateway adopts the first one only'],
    ['https.ts', 'an https (TLS) server (port 8443): TLS ends at the static tier'],
    ['raw-net.ts', 'a raw net.Server (port 7000), not an http.Server'],
  ])('%s is refused with APP_LISTEN_REFUSED (exit 4) naming what it asked for', async (module, words) => {
    const error = await gatewayErrorOf(load(module));
    expect(error.code).toBe('APP_LISTEN_REFUSED');
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(`${module}: it listened on ${words}`);
  });

  test('neither an export nor a listen: APP_EXPORT_INVALID once the wait is over', async () => {
    const error = await gatewayErrorOf(load('never.ts', 300));
    expect(error.code).toBe('APP_EXPORT_INVALID');
    expect(error.message).toContain('never.ts: no default export (named exports: [helper]), and no http.Server listened within 0.3 s of its import');
  });

  test('a listen after the default export was taken is reported, not thrown, and binds nothing', async () => {
    const port = await freePort();
    process.env.FIXTURE_PORT = String(port);
    const { url } = await host(await load('late-second.ts'));
    expect(await (await fetch(url)).text()).toBe('export\n');
    const deadline = Date.now() + 5000;
    while (late.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(late.map((e) => e.message)).toEqual([
      expect.stringContaining(`late-second.ts: it listened (port ${port}) after its default export was taken as the app`),
    ]);
    expect(await isBound(port)).toBe(false);
  });

  test('a listen from outside any app module binds as usual', async () => {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    expect((server.address() as AddressInfo).port).toBeGreaterThan(0);
    await new Promise((resolve) => server.close(resolve));
  });
});
