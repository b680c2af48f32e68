/**
 * `npm run build`: the JavaScript production runs, in dist/ — the gateway and the sample app
 * compiled by tsc (tsconfig.build.json), the app's fingerprinted static files beside it, and a
 * package.json saying the files are ES modules. Node strips types from .ts at run time, but its
 * stripper costs every process ~17 MiB (docs/benchmarks.md, npm run bench:boot-memory), so images
 * and `npm start` run dist/; `npm run dev`, the tests and `npm run gateway` keep running sources.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { STATIC_SOURCE, buildStatic } from '../app/build.ts';

const ROOT = resolve(import.meta.dirname, '..');
export const DIST = resolve(ROOT, 'dist');

/** Compiles into dist/ (incremental: a second run with nothing changed takes about a second). */
export async function buildDist(): Promise<void> {
  execFileSync(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', resolve(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const { name, version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  mkdirSync(DIST, { recursive: true });
  // The gateway reads its version from ../package.json, relative to its own files.
  writeFileSync(resolve(DIST, 'package.json'), `${JSON.stringify({ name, version, private: true, type: 'module' }, null, 2)}\n`);
  // The compiled app reads its manifest next to itself (dist/app/dist/), as the source app does.
  await buildStatic(STATIC_SOURCE, resolve(DIST, 'app', 'dist'));
}

if (import.meta.main) {
  await buildDist();
  console.log(`[build] wrote ${DIST}`);
}
