/**
 * Full-stack frameworks' Node production output, hosted unmodified: Next.js (`output: 'standalone'`,
 * `.next/standalone/server.js`), SvelteKit (adapter-node, `build/index.js`) and Astro
 * (@astrojs/node standalone, `dist/server/entry.mjs`). Each fixture is
 * installed from its lock file and built once into run/frameworks (later runs reuse the build),
 * then run by `npm start -- --app <entry>` with 2 workers and real nginx. The preset
 * (nginx/presets.ts) has nginx serve the hashed assets: the access log shows no upstream for them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nginxBinary } from '../nginx/nginx-binary.ts';
import { discardStack, startStack, type RunningStack } from '../stack/stack-process.ts';
import { installFixture } from '../../bench/lib/framework-fixtures.ts';
import { loadThroughKill } from './load.ts';

const FRAMEWORKS = [
  { name: 'next', entry: '.next/standalone/server.js', heading: '<h1>next</h1>', asset: /"(\/_next\/static\/[^"]+\.js)"/ },
  { name: 'sveltekit', entry: 'build/index.js', heading: '<h1>sveltekit</h1>', asset: /"\.?(\/_app\/immutable\/[^"]+\.js)"/ },
  // Astro inlines this page's small script; its stylesheet is the hashed file (inlineStylesheets: 'never').
  { name: 'astro', entry: 'dist/server/entry.mjs', heading: '<h1>astro</h1>', asset: /"(\/_astro\/[^"]+\.(?:css|js))"/ },
];

/** The access-log line nginx wrote for `path` (waits for it: nginx writes after the response). */
async function accessLogLine(stack: RunningStack, path: string): Promise<string> {
  const file = join(stack.runDir, 'nginx', 'access.log');
  const deadline = Date.now() + 5_000;
  for (;;) {
    const line = readFileSync(file, 'utf8').split('\n').findLast((l) => l.includes(`"GET ${path} `));
    if (line || Date.now() > deadline) return line ?? '';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(FRAMEWORKS)('$name production build, unmodified, under npm start with 2 workers', ({ name, entry, heading, asset }) => {
  let stack: RunningStack;
  let cached = false;
  beforeAll(async () => {
    nginxBinary();
    const installed = await installFixture(name, ['npm', 'run', 'build']);
    cached = installed.cached;
    stack = await startStack(['--app', join(installed.dir, entry), '--min-workers', '2', '--max-workers', '2']);
  }, 600_000);
  afterAll(() => discardStack(stack), 60_000);

  it('serves the page through the gateway and its hashed assets from nginx, immutable, never from the app', async () => {
    expect(stack.output()).toContain(`${name} build: nginx serves`);
    const page = await fetch(stack.site);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(heading);
    expect(await accessLogLine(stack, '/')).toMatch(/ upstream=127\.0\.0\.1:\d+ /);
    const path = asset.exec(html)?.[1];
    expect(path).toBeDefined();
    const file = await fetch(`${stack.site}${path}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    await file.arrayBuffer();
    expect(await accessLogLine(stack, path!)).toMatch(/ 200 \d+ rt=\S+ urt=- upstream=- /);
    // A missing hashed file is nginx's 404; the app is not asked.
    const prefix = path!.split('/').slice(0, 3).join('/');
    const missing = await fetch(`${stack.site}${prefix}/missing-0123456789.js`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
    expect(await accessLogLine(stack, `${prefix}/missing-0123456789.js`)).toMatch(/ 404 \d+ rt=\S+ urt=- upstream=- /);
  });

  it('answers an API route through nginx and the gateway', async () => {
    const api = await fetch(`${stack.site}/api/hello`);
    expect(await api.json()).toEqual({ framework: name, pid: expect.any(Number) });
    expect(api.headers.get('x-request-id')).toBeTruthy();
  });

  it('loses no request when a worker is SIGKILLed under load (only an answer the victim had begun can be cut)', async () => {
    const result = await loadThroughKill(stack, '/api/hello');
    expect(result.failed).toEqual([]);
    expect(result.cut.length).toBeLessThanOrEqual(4);
    expect(result.ok).toBeGreaterThan(50);
    expect(result.pidsAfter).not.toContain(result.victim);
  }, 60_000);

  it('drains on TERM: a slow request in flight is answered, then the stack exits 0', async () => {
    const slow = fetch(`${stack.site}/api/slow?ms=1500`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    stack.child.kill('SIGTERM');
    expect(await slow).toEqual({ status: 200, body: { slept: 1500 } });
    expect(await stack.exited).toBe(0);
    // Reported so a run shows whether the build came from run/frameworks.
    process.stderr.write(`[fullstack] ${name}: build ${cached ? 'reused from run/frameworks' : 'made in this run'}\n`);
  }, 60_000);
});
