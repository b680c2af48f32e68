/** Framework presets: the app module's path says which build it is and where its hashed assets live. */
import { describe, expect, it } from '@jest/globals';
import { INLINE_BOOT_CSP, frameworkAssets, frameworkContentSecurityPolicy } from '../../nginx/presets.ts';
import { nginxSpec } from '../../nginx/spec.ts';
import { localStackConfig, stackSpec } from '../../infra/spec.ts';

const everything = () => true;

describe('frameworkAssets', () => {
  it.each([
    ['/p/.next/standalone/server.js', 'next', '/_next/static/', '/p/.next/static'],
    ['/p/build/index.js', 'sveltekit', '/_app/immutable/', '/p/build/client/_app/immutable'],
    ['/p/.output/server/index.mjs', 'nuxt', '/_nuxt/', '/p/.output/public/_nuxt'],
    ['/p/dist/server/entry.mjs', 'astro', '/_astro/', '/p/dist/client/_astro'],
  ])('%s is %s: %s from %s', (module, framework, prefix, root) => {
    expect(frameworkAssets(module, everything)).toEqual([{ framework, prefix, root }]);
  });

  it('a build/index.js without the folder SvelteKit writes is not SvelteKit', () => {
    const seen: string[] = [];
    expect(frameworkAssets('/p/build/index.js', (dir) => (seen.push(dir), false))).toEqual([]);
    expect(seen).toEqual(['/p/build/client/_app/immutable']);
  });

  it('any other module has no preset', () => {
    expect(frameworkAssets('/p/dist/app/server.js', everything)).toEqual([]);
    expect(frameworkAssets('/p/server.js', everything)).toEqual([]);
  });
});

describe("a framework's Content-Security-Policy", () => {
  it('a framework build relaxes the kit policy for inline scripts; the sample app keeps the strict one', () => {
    expect(frameworkContentSecurityPolicy(frameworkAssets('/p/.next/standalone/server.js', everything))).toBe(INLINE_BOOT_CSP);
    expect(frameworkContentSecurityPolicy([])).toBeUndefined();
    const local = (appModule?: string) =>
      stackSpec(localStackConfig({ appModule, immutableAssets: appModule ? frameworkAssets(appModule, everything) : [] })).static.nginx;
    expect(local('/p/build/index.js').securityHeaders['Content-Security-Policy']).toBe(INLINE_BOOT_CSP);
    expect(local().securityHeaders['Content-Security-Policy']).toMatch(/^default-src 'self'; frame-ancestors/);
    expect(local().appOwnedHeaders).toEqual(['Content-Security-Policy']);
  });

  it('an app-owned header the kit has no value for is refused, naming the field', () => {
    const base = { listen: { host: '127.0.0.1', port: 8080 }, upstream: { servers: [{ host: '127.0.0.1', port: 8000 }] }, staticRoot: '/s', paths: { runDir: '/r' } };
    expect(() => nginxSpec({ ...base, appOwnedHeaders: ['Permissions-Policy'] })).toThrow('appOwnedHeaders: every appOwnedHeaders entry must be one of securityHeaders');
  });
});
