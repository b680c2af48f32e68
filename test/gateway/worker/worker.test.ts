import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExitCode, GatewayError } from '../../../gateway/errors.ts';
import { workerHarness } from './fake-worker-port.ts';

describe('worker lifecycle (fake port, real server)', () => {
  test('boots, serves, and tells the master it is ready only once listening', async () => {
    const h = workerHarness({ app: { fetch: () => new Response('hello') } });
    await h.worker.start();
    await h.port.ready();
    expect(h.port.ofType('heartbeat').length).toBeGreaterThan(0); // the pulse starts before the app loads
    const response = await fetch(h.url());
    expect(await response.text()).toBe('hello');
    h.worker.drain();
    expect(await h.port.exited()).toBe(ExitCode.OK);
  });

  test('an app that cannot be loaded is reported to the master and exits with the app-load code', async () => {
    const h = workerHarness({
      loadApps: async () => {
        throw new GatewayError('APP_IMPORT_FAILED', 'app.ts: boom');
      },
    });
    await h.worker.start();
    expect(await h.port.exited()).toBe(ExitCode.APP_LOAD);
    expect(h.port.ofType('boot-failed')).toEqual([{ type: 'boot-failed', code: 'APP_IMPORT_FAILED', message: expect.stringContaining('boom') }]);
    expect(h.port.ofType('ready')).toEqual([]);
    expect(h.server.listening).toBe(false);
  });

  test('an unexpected error while booting is a worker boot failure (exit 3), not a crash', async () => {
    const withConfig = workerHarness({ configPath: 'gateway.config.ts', loadConfig: async () => Promise.reject(new Error('config exploded')) });
    await withConfig.worker.start();
    expect(await withConfig.port.exited()).toBe(ExitCode.WORKER_BOOT);
    expect(withConfig.port.ofType('boot-failed')[0]).toMatchObject({ code: 'WORKER_BOOT_FAILED', message: expect.stringContaining('config exploded') });
  });

  test('a port already taken is BIND_FAILED (exit 2)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const h = workerHarness({ settings: { bind: `127.0.0.1:${(taken.address() as AddressInfo).port}` } });
    await h.worker.start();
    expect(await h.port.exited()).toBe(ExitCode.CONFIG);
    expect(h.port.ofType('boot-failed')[0]).toMatchObject({ code: 'BIND_FAILED' });
    taken.close();
  });

  test('TERM, the drain message and a lost channel together drain once: one close(), one exit', async () => {
    let closes = 0;
    const h = workerHarness({ app: { fetch: () => new Response('x'), close: () => void (closes += 1) } });
    await h.worker.start();
    await h.port.ready();
    h.port.signal('SIGTERM');
    h.port.message({ type: 'drain', deadlineMs: 1000 });
    h.port.disconnect();
    h.worker.drain();
    expect(await h.port.exited()).toBe(ExitCode.OK);
    await new Promise((r) => setTimeout(r, 50));
    expect(closes).toBe(1);
    expect(h.port.exits).toEqual([ExitCode.OK]);
    // The last beat leaves before the exit, so the master counts every request.
    expect(h.port.sent.at(-1)?.type).toBe('heartbeat');
  });

  test('a drain finishes the request in flight, refuses new connections, then exits', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = workerHarness({
      app: {
        fetch: async () => {
          await gate;
          return new Response('finished');
        },
      },
    });
    await h.worker.start();
    await h.port.ready();
    const url = h.url('/slow');
    const pending = new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      request(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
      })
        .on('error', reject)
        .end();
    });
    while (!(await new Promise<number>((r) => h.server.getConnections((_, n) => r(n))))) await new Promise((r) => setTimeout(r, 5));
    h.port.message({ type: 'drain', deadlineMs: 5000 });
    await expect(fetch(url)).rejects.toThrow(); // no longer accepting
    expect(h.port.exits).toEqual([]);
    release();
    expect(await pending).toEqual({ status: 200, body: 'finished', connection: 'close' });
    expect(await h.port.exited()).toBe(ExitCode.OK);
  });

  test('SIGINT exits at once, whatever is in flight', async () => {
    const h = workerHarness({ app: { fetch: () => new Promise<Response>(() => {}) } });
    await h.worker.start();
    await h.port.ready();
    h.port.signal('SIGINT');
    expect(await h.port.exited()).toBe(ExitCode.OK);
    h.server.closeAllConnections();
    h.server.close();
  });
});
