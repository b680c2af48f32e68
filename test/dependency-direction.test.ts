/**
 * Dependencies point one way: the kit (gateway, app, nginx, infra, scripts) and the benchmarks
 * never import from test/. Code both need lives on the kit's side (bench/lib, scripts/lib) and the
 * tests import it from there; a benchmark reaching into a test helper would make the benchmark
 * depend on the test suite's layout and pull test-only code into what users run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, test } from '@jest/globals';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCE_FOLDERS = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !['test', 'node_modules', 'run', 'dist', 'coverage'].includes(e.name) && !e.name.startsWith('.'))
  .map((e) => e.name);
/** `from '…'`, `import('…')`, `import '…'` and `require('…')` specifiers. */
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(e.name) ? [path] : [];
  });
}

/** `file → specifier` for every relative import in `files` that lands in test/. */
function importsOfTests(files: string[], read: (file: string) => string): string[] {
  const testDir = join(ROOT, 'test') + '/';
  return files.flatMap((file) =>
    [...read(file).matchAll(SPECIFIER)]
      .map((m) => m[1]!)
      .filter((spec) => spec.startsWith('.') && resolve(dirname(file), spec).startsWith(testDir))
      .map((spec) => `${relative(ROOT, file)} → ${spec}`));
}

test('the checker sees an import of a test helper (from, dynamic import, require)', () => {
  const file = join(ROOT, 'bench', 'x.ts');
  const text = "import { a } from '../test/a.ts';\nconst b = await import('../test/b.ts');\nrequire('../test/c.cjs');\nimport { d } from './lib/d.ts';";
  expect(importsOfTests([file], () => text)).toEqual(['bench/x.ts → ../test/a.ts', 'bench/x.ts → ../test/b.ts', 'bench/x.ts → ../test/c.cjs']);
});

test('no file outside test/ imports from test/', () => {
  expect(SOURCE_FOLDERS).toEqual(expect.arrayContaining(['bench', 'gateway', 'infra', 'scripts']));
  const files = SOURCE_FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)));
  expect(importsOfTests(files, (file) => readFileSync(file, 'utf8'))).toEqual([]);
});
