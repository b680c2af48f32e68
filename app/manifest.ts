/**
 * Asset URLs for the HTML: `assetUrl('style.css')` → `/static/style.3f2a9c1b0d.css`, read from the
 * manifest that `app/build.ts` writes. Without a build (a unit test, a first `node app/server.ts`)
 * it falls back to the plain name, so the page still renders and says where its assets would be.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from './build.ts';

/** URL prefix nginx (and `npm run dev`) serve the build's static folder under. */
export const STATIC_PREFIX = '/static/';

/** Read `dist/manifest.json` once; an empty manifest when the app has not been built. */
export function loadManifest(distDir = join(import.meta.dirname, 'dist')): Manifest {
  try {
    return JSON.parse(readFileSync(join(distDir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return {};
  }
}

/** A function mapping a plain asset name to its public URL through `manifest`. */
export function assetUrls(manifest: Manifest): (name: string) => string {
  return (name) => `${STATIC_PREFIX}${manifest[name] ?? name}`;
}
