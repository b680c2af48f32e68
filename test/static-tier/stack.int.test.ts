/**
 * The static tier's contract, end to end through the real stack, once per server: `scripts/stack.ts
 * --static-server X` starts the real gateway and Debian's nginx or Apache on ports from the OS; every
 * request below goes through that server, as a user's browser would. Where the servers may differ
 * (the banner's name, 403 or 404 for a folder) the difference is named in SERVER_TRAITS or here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PoolStatus } from '../../gateway/protocol.ts';
import { localStackConfig, stackSpec } from '../../infra/spec.ts';
import { ROOT, rawGet, startStack, type RunningStack } from '../stack/stack-process.ts';
import { SERVER_TRAITS, STATIC_SERVERS } from './web-server.ts';

describe.each(STATIC_SERVERS)('the stack with %s in front', (server) => {
  let stack: RunningStack;

  beforeAll(async () => {
    SERVER_TRAITS[server].binary(); // fails the suite, with the install command, when it is missing
    stack = await startStack(['--min-workers', '2', '--max-workers', '3', '--static-server', server]);
  }, 90_000);

  afterAll(async () => {
    if (!stack) return;
    stack.child.kill('SIGINT');
    await stack.exited;
    await rm(stack.runDir, { recursive: true, force: true });
  }, 60_000);

  const site = (path: string, init?: RequestInit) => fetch(`${stack.site}${path}`, init);

  describe('the page and its fingerprinted assets', () => {
    it('serves the page from the app, naming assets by content hash', async () => {
      const response = await site('/');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('server')).toBe(SERVER_TRAITS[server].banner); // no version banner
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await response.text();
      const manifest = JSON.parse(await readFile(join(ROOT, 'app/dist/manifest.json'), 'utf8')) as Record<string, string>;
      for (const hashed of Object.values(manifest)) expect(html).toContain(`/static/${hashed}`);
    });

    it.each([
      ['style.css', 'text/css'],
      ['app.js', 'application/javascript'],
      ['logo.svg', 'image/svg+xml'],
    ])('%s: right type, cached for a year, gzipped', async (name, type) => {
      const manifest = JSON.parse(await readFile(join(ROOT, 'app/dist/manifest.json'), 'utf8')) as Record<string, string>;
      const response = await site(`/static/${manifest[name]}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-encoding')).toBe('gzip');
      expect(await response.text()).toBe(await readFile(join(ROOT, 'app/static', name), 'utf8'));
    });

    it('gives plain (unhashed) names only a short cache', async () => {
      const response = await site('/static/style.css');
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    });

    it('answers a missing static file with the web server\'s 404, never the app', async () => {
      const response = await site('/static/missing.3f2a9c1b0d.css');
      expect(response.status).toBe(404);
      expect(response.headers.get('cache-control')).toBeNull();
      expect(await response.text()).not.toContain('"error"'); // the app's 404s are JSON
    });

    it('lists no directory', async () => {
      const response = await site('/static/');
      // nginx's autoindex off is a 403; Apache without mod_dir/mod_autoindex has no page for a folder: 404.
      expect([403, 404]).toContain(response.status);
      expect(await response.text()).not.toContain('style.');
    });
  });

  describe(`the JSON API through ${server}`, () => {
    it('creates a note (201) and refuses a bad body with a 400 naming the field', async () => {
      const post = (body: string) => site('/api/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const created = await post(JSON.stringify({ text: 'hello', tags: ['a'] }));
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ text: 'hello', tags: ['a'] });
      const bad = await post(JSON.stringify({ text: '' }));
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { detail: string }).detail).toMatch(/^text: /);
      expect((await post('{not json')).status).toBe(400);
    });

    it('refuses a body over the limit with 413 before it reaches the gateway', async () => {
      const response = await site('/api/notes', { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });
      expect(response.status).toBe(413);
    });

    it('passes the client\'s X-Request-Id through to the app', async () => {
      const response = await site('/api/whoami', { headers: { 'x-request-id': 'test-id-42' } });
      expect(response.headers.get('x-request-id')).toBe('test-id-42');
      expect(await response.json()).toMatchObject({ requestId: 'test-id-42' });
    });

    it('spreads concurrent requests over several workers', async () => {
      const answers = await Promise.all(
        Array.from({ length: 16 }, () => site('/api/work?ms=100').then((r) => r.json() as Promise<{ workerId: number }>)),
      );
      expect(new Set(answers.map((a) => a.workerId)).size).toBeGreaterThanOrEqual(2);
    });
  });

  describe(`what ${server} refuses`, () => {
    it.each(['/static/../../../../etc/passwd', '/static/..%2f..%2f..%2f..%2fetc%2fpasswd', '/static/%2e%2e/%2e%2e/package.json'])(
      'path traversal %s',
      async (path) => {
        const response = await rawGet(stack.ports.site, path);
        expect([400, 404]).toContain(response.status);
        expect(response.body).not.toContain('root:');
        expect(response.body).not.toContain('"name"');
      },
    );

    it('dotfiles, in the static folder and elsewhere', async () => {
      const secret = join(ROOT, 'app/dist/static/.env');
      await writeFile(secret, 'SECRET=1\n');
      try {
        for (const path of ['/static/.env', '/.env', '/.git/config']) {
          const response = await rawGet(stack.ports.site, path);
          expect(response.status).toBe(404);
          expect(response.body).not.toContain('SECRET');
        }
        // The file was there all along: the 404s came from the dotfile rule, not from its absence.
        expect(existsSync(secret)).toBe(true);
      } finally {
        await rm(secret, { force: true });
      }
    });

    it('never reaches the gateway\'s admin listener', async () => {
      // The admin listener answers these on its own port…
      const direct = (await (await fetch(`${stack.admin}/status`, { headers: { accept: 'application/json' } })).json()) as PoolStatus;
      expect(direct.workers.length).toBeGreaterThanOrEqual(2);
      // …and through the web server they reach only the app, which knows none of them.
      for (const path of ['/status', '/metrics', '/healthz', '/readyz']) {
        const response = await site(path);
        expect(response.status).toBe(404);
        const body = await response.text();
        expect(body).not.toContain('# HELP');
        expect(body).not.toContain('"workers"');
      }
      expect((await site('/workers?target=1', { method: 'POST' })).status).toBe(404);
      const after = (await (await fetch(`${stack.admin}/status`, { headers: { accept: 'application/json' } })).json()) as PoolStatus;
      expect(after.target).toBe(direct.target);
    });

    it('answers its own health location without the gateway', async () => {
      const response = await site('/nginx-health');
      expect(response.status).toBe(200);
      expect((await response.text()).trim()).toBe('ok');
    });
  });

  describe('the gateway process', () => {
    it("runs as the spec's launch describes, like the Docker and Kubernetes targets", async () => {
      const { ports } = stack;
      const spec = stackSpec(localStackConfig({ sitePort: ports.site, gatewayPort: ports.gateway, adminPort: ports.admin, minWorkers: 2, maxWorkers: 3, staticServer: server }));
      const { launch } = spec.gateway.instances[0]!;
      const status = (await (await fetch(`${stack.admin}/status`, { headers: { accept: 'application/json' } })).json()) as PoolStatus;
      const argv = readFileSync(`/proc/${status.master.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const env = Object.fromEntries(
        readFileSync(`/proc/${status.master.pid}/environ`, 'utf8').split('\0').filter(Boolean).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
      );
      expect(argv.slice(-launch.args.length)).toEqual(launch.args);
      expect(env).toMatchObject(launch.env);
      expect([status.minWorkers, status.maxWorkers]).toEqual([2, 3]);
    });
  });
});
