/**
 * Express 5, Fastify 5, Koa and NestJS, each an unmodified app calling listen() as its docs show
 * (test/fixtures/frameworks/listeners, installed from the npm registry with its lock file), run by
 * `npm start -- --app …` with real nginx and 2 workers: the page and an API route answer through
 * nginx, a worker SIGKILLed under load costs no request, and TERM lets a slow request finish.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { nginxBinary } from '../nginx/nginx-binary.ts';
import { freePort, isBound } from '../support/net.ts';
import { discardStack, poolStatus, startStack, type RunningStack } from '../stack/stack-process.ts';
import { installFixture } from '../../bench/lib/framework-fixtures.ts';
import { loadThroughKill } from './load.ts';

let dir: string;
beforeAll(async () => {
  nginxBinary();
  ({ dir } = await installFixture('listeners'));
}, 300_000);

describe.each(['express', 'fastify', 'koa', 'nest'])('%s, unmodified, under npm start with 2 workers', (framework) => {
  let stack: RunningStack;
  let appPort: number;
  beforeAll(async () => {
    // The port the app reads (each fixture listens on process.env.PORT), inherited by the workers.
    appPort = await freePort();
    process.env.PORT = String(appPort);
    stack = await startStack(['--app', join(dir, `${framework}.js`), '--min-workers', '2', '--max-workers', '2']);
  }, 90_000);
  afterAll(() => discardStack(stack), 60_000);

  it('answers the page and an API route through nginx and the gateway; the port it listens on is never bound', async () => {
    const page = await fetch(stack.site);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<h1>${framework}</h1>`);
    const api = await fetch(`${stack.site}/api/hello`);
    expect(await api.json()).toEqual({ framework, pid: expect.any(Number) });
    // Added by the gateway's request path, which the app knows nothing of.
    expect(api.headers.get('x-request-id')).toBeTruthy();
    const status = await poolStatus(stack);
    expect(status.workers.filter((w) => w.state === 'ready')).toHaveLength(2);
    expect(await isBound(appPort)).toBe(false);
  });

  it('loses no request when a worker is SIGKILLed under load (only an answer the victim had begun can be cut)', async () => {
    const result = await loadThroughKill(stack, '/api/hello');
    expect(result.failed).toEqual([]);
    expect(result.cut.length).toBeLessThanOrEqual(4);
    expect(result.ok).toBeGreaterThan(100);
    expect(result.pidsAfter).not.toContain(result.victim);
  }, 60_000);

  it('drains on TERM: a slow request in flight is answered, then the stack exits 0', async () => {
    const slow = fetch(`${stack.site}/api/slow?ms=1500`).then(async (r) => ({ status: r.status, body: await r.text() }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    stack.child.kill('SIGTERM');
    expect(await slow).toEqual({ status: 200, body: JSON.stringify({ slept: 1500 }) });
    expect(await stack.exited).toBe(0);
  }, 60_000);
});
