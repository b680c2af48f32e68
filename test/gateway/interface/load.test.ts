/** loadApps and the AppSet lifecycle against the fixture apps other suites reuse. */
import { fileURLToPath } from 'node:url';
import { loadApps } from '../../../gateway/interface/index.ts';
import { gatewayErrorOf } from '../../support/errors.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/apps/', import.meta.url));


describe('loadApps', () => {
  test('resolves module paths against cwd and reports each mount kind in order', async () => {
    const apps = await loadApps(
      [
        { prefix: '/', module: 'fetch-conformance.ts' },
        { prefix: '/legacy', module: 'node-conformance.ts' },
      ],
      { cwd: fixtures },
    );
    expect(apps.kinds).toEqual(['fetch', 'node']);
  });

  test.each([
    ['throws-at-import.ts', 'APP_IMPORT_FAILED', 'this module throws at import'],
    ['does-not-exist.ts', 'APP_IMPORT_FAILED', 'does-not-exist.ts'],
    ['invalid-export.ts', 'APP_EXPORT_INVALID', 'keys [port, handler]'],
    ['no-default-export.ts', 'APP_EXPORT_INVALID', 'no default export (named exports: [fetch])'],
  ])('%s → %s, with a message naming the cause', async (module, code, words) => {
    const error = await gatewayErrorOf(loadApps([{ prefix: '/', module }], { cwd: fixtures }));
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(words);
  });

  test('a bad prefix is a configuration error (exit 2)', async () => {
    const error = await gatewayErrorOf(loadApps([{ prefix: 'api/', module: 'hono-app.ts' }], { cwd: fixtures }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
  });
});

describe('AppSet lifecycle', () => {
  test('init and close reach the app, with the worker id', async () => {
    const { calls } = (await import('../../fixtures/apps/lifecycle-recorder.ts')) as { calls: string[] };
    const apps = await loadApps([{ prefix: '/', module: 'lifecycle-recorder.ts' }], { cwd: fixtures });
    const before = calls.length;
    await apps.init({ workerId: 7 });
    await apps.close();
    expect(calls.slice(before)).toEqual(['init worker=7', 'close']);
  });

  test('an init that rejects becomes APP_INIT_FAILED naming the module and the reason', async () => {
    const apps = await loadApps([{ prefix: '/', module: 'init-throws.ts' }], { cwd: fixtures });
    const error = await gatewayErrorOf(apps.init({ workerId: 1 }));
    expect(error.code).toBe('APP_INIT_FAILED');
    expect(error.message).toContain('init-throws.ts: fixture: init failed (database unreachable)');
  });

  test('close runs every app even when one close throws, then reports the failure', async () => {
    const { appSetOf } = await import('../../../gateway/interface/index.ts');
    const closed: string[] = [];
    const apps = appSetOf([
      { prefix: '/a', app: { fetch: () => new Response(''), close: () => { throw new Error('close a'); } } },
      { prefix: '/b', app: { fetch: () => new Response(''), close: () => void closed.push('b') } },
    ]);
    await expect(apps.close()).rejects.toThrow('close a');
    expect(closed).toEqual(['b']);
  });

  test("a drain closes a server app's http.Server as server.close() would ('close' once, listening false), and close() does not again", async () => {
    const { createServer } = await import('node:http');
    const { appSetOf } = await import('../../../gateway/interface/index.ts');
    const server = createServer(() => {});
    const heard: string[] = [];
    server.on('close', () => heard.push(`close listening=${server.listening}`));
    const apps = appSetOf([
      { prefix: '/', app: server },
      { prefix: '/f', app: { fetch: () => new Response(''), drain: () => void heard.push('fetch drain') } },
    ]);
    await apps.drain();
    expect(heard).toEqual(['fetch drain', 'close listening=false']);
    await apps.close();
    expect(heard).toHaveLength(2);
  });
});
