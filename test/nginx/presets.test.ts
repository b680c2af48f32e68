/** Framework presets: the app module's path says which build it is and where its hashed assets live. */
import { describe, expect, it } from '@jest/globals';
import { frameworkAssets } from '../../nginx/presets.ts';

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
