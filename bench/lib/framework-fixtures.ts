/**
 * Shared by the framework suites (test/frameworks, test/containers) and bench:adopted, so neither
 * imports the other. Framework fixtures are small projects of their own (test/fixtures/frameworks/NAME: package.json,
 * package-lock.json, sources), installed from the npm registry with `npm ci` into run/frameworks/NAME,
 * once per lock file: a second run finds the stamp and skips the install (and the build).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { $ } from 'zx';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Where the fixture lives once installed (and built). */
export const installedFixture = (name: string) => join(ROOT, 'run', 'frameworks', name);

/**
 * Copies the fixture's sources to run/frameworks/NAME, `npm ci`, then `build` if given; skipped
 * when the stamp says the same sources were installed and built before.
 * @returns the folder, and whether the cache was used.
 */
export async function installFixture(name: string, build?: string[]): Promise<{ dir: string; cached: boolean }> {
  const source = join(ROOT, 'test', 'fixtures', 'frameworks', name);
  const dir = installedFixture(name);
  const stamp = join(dir, '.kit-installed');
  const key = fingerprint(source, build);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return { dir, cached: true };
  rmSync(dir, { recursive: true, force: true });
  cpSync(source, dir, { recursive: true });
  // The project's pinned Node runs the fixture's install scripts and build, whoever started the tests.
  const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  const env = { ...process.env, PATH, NODE_ENV: undefined, NEXT_TELEMETRY_DISABLED: '1' };
  const quiet = $({ cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
  await quiet`npm ci --no-audit --no-fund`;
  if (build) await quiet`${build}`;
  writeFileSync(stamp, key);
  return { dir, cached: false };
}

/** The fixture's files (not node_modules) and the build command, hashed. */
function fingerprint(source: string, build?: string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(build ?? []));
  const files = $.sync({ cwd: source })`git ls-files --cached --others --exclude-standard .`.stdout.split('\n').filter(Boolean).sort();
  for (const file of files) hash.update(file).update(readFileSync(join(source, file)));
  return hash.digest('hex');
}
