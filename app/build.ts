/**
 * The app's build step: copies `app/static/` into `app/dist/static/` twice over — once under a
 * content-hashed name (`style.3f2a9c1b0d.css`), which nginx may cache for a year because the name
 * changes whenever the bytes do, and once under the plain name for links that cannot be rewritten
 * (those get a short cache) — and writes `app/dist/manifest.json` mapping plain → hashed names.
 * The HTML asks the manifest for every asset URL (Django's ManifestStaticFilesStorage, in small).
 *
 *   node app/build.ts            # run by `npm start` and `npm run dev`
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';

/** Plain asset path (relative to the static folder) → fingerprinted path. */
export type Manifest = Record<string, string>;

/** Hex digits of the content hash in a fingerprinted name; nginx's immutable rule matches this. */
export const HASH_LENGTH = 10;

/** Where the sources and the build live, relative to this module. */
export const STATIC_SOURCE = join(import.meta.dirname, 'static');
export const DIST = join(import.meta.dirname, 'dist');

/** `logo.svg` + hash → `logo.<hash>.svg` (the hash goes before the extension, so types still work). */
export function fingerprintName(file: string, content: Buffer): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, HASH_LENGTH);
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.${hash}${ext}`);
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  // Dotfiles stay out of the build: nginx refuses them anyway, and they are rarely meant to ship.
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Write `content` to `file` so a reader (nginx serving the previous build, a second build running
 * at the same time) sees the old bytes or the new ones, never a half-written file.
 */
async function writeAtomically(file: string, content: Buffer | string): Promise<void> {
  const existing = await readFile(file).catch(() => undefined);
  if (existing?.equals(Buffer.from(content))) return;
  // A dotfile: other builds' clean-up skips it and nginx never serves it.
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  await writeFile(temp, content);
  await rename(temp, file);
}

/** Build `outDir/static/` and `outDir/manifest.json` from `source`; returns the manifest. */
export async function buildStatic(source = STATIC_SOURCE, outDir = DIST): Promise<Manifest> {
  const target = join(outDir, 'static');
  const manifest: Manifest = {};
  const written = new Set<string>();
  for (const file of await listFiles(source)) {
    const content = await readFile(join(source, file));
    const hashed = fingerprintName(file, content);
    await mkdir(dirname(join(target, file)), { recursive: true });
    await writeAtomically(join(target, file), content);
    await writeAtomically(join(target, hashed), content);
    manifest[file] = hashed;
    written.add(file).add(hashed);
  }
  // Files deleted from the source, and hashed copies of old content, do not linger in the build.
  for (const stale of (await listFiles(target)).filter((file) => !written.has(file))) {
    await rm(join(target, stale), { force: true });
  }
  await writeAtomically(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (import.meta.main) {
  const manifest = await buildStatic();
  console.error(`[build] ${Object.keys(manifest).length} static files → ${relative(process.cwd(), DIST)}/static`);
}
