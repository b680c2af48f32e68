/**
 * `npm start` from a checkout no other user can enter: root's home folder (700), a `mktemp -d`
 * folder, many home folders. Run as root, nginx used to drop its workers to `nobody`, which cannot
 * traverse such a folder: the page loaded, every static file was 403. Apache refuses to serve as
 * root at all, so its workers are `www-data` and serve a readable copy of the static folder. The
 * project's sources are copied into a fresh 700 folder (node_modules linked, not copied) and the
 * stack started from there, once per static-tier server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT, startStack, type RunningStack } from '../stack/stack-process.ts';
import { SERVER_TRAITS, STATIC_SERVERS } from './web-server.ts';

/** The checkout minus what `npm start` does not read (and what it builds or installs itself). */
const LEFT_BEHIND = /\/(\.git|node_modules|dist|run|test|bench|docs|coverage)$/;

describe.each(STATIC_SERVERS)('%s', (server) => {
  let parent: string;
  let stack: RunningStack | undefined;

  beforeAll(async () => {
    SERVER_TRAITS[server].binary();
    parent = await mkdtemp(join(tmpdir(), 'kit-private-'));
    await chmod(parent, 0o700);
    const checkout = join(parent, 'kit');
    await cp(ROOT, checkout, { recursive: true, filter: (from) => !LEFT_BEHIND.test(`/${relative(ROOT, from)}`) });
    await symlink(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    stack = await startStack(['--min-workers', '1', '--max-workers', '1', '--static-server', server], { root: checkout });
  }, 120_000);

  afterAll(async () => {
    if (stack) {
      stack.child.kill('SIGINT');
      await stack.exited;
      await rm(stack.runDir, { recursive: true, force: true });
    }
    if (parent) await rm(parent, { recursive: true, force: true });
  }, 60_000);

  it('serves the page and every fingerprinted static file from a checkout inside a 700 folder', async () => {
    const page = await fetch(`${stack!.site}/`);
    expect(page.status).toBe(200);
    const manifest = JSON.parse(await readFile(join(parent, 'kit/app/dist/manifest.json'), 'utf8')) as Record<string, string>;
    const statuses = await Promise.all(
      Object.values(manifest).map(async (hashed) => [hashed, (await fetch(`${stack!.site}/static/${hashed}`)).status] as const),
    );
    expect(statuses).toEqual(Object.values(manifest).map((hashed) => [hashed, 200]));
  });
});
