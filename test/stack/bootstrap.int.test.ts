/**
 * The first screen of a fresh clone: `scripts/bootstrap.cjs` runs the real `npm ci` on a project
 * whose engines the running Node does not meet (as the system Node 20 does not meet the kit's
 * Node 24 packages), then hands over to the pinned node. npm's EBADENGINE warnings (about 30 lines
 * for the kit) must not reach the screen; the bootstrap's own line says what is going on.
 * The project is a small fixture (its one dependency is a local folder), so npm needs no network.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './stack-process.ts';

let project: string;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'kit-bootstrap-'));
  // A stand-in for the pinned `node` package: its `node` bin says it ran, and with what.
  await mkdir(join(project, 'pinned-node'));
  await writeFile(join(project, 'pinned-node/package.json'), json({ name: 'node', version: '0.0.1', bin: { node: 'node.sh' } }));
  await writeFile(join(project, 'pinned-node/node.sh'), '#!/bin/sh\necho "pinned node ran: $*" | sed "s|$PWD/||"\n');
  await chmod(join(project, 'pinned-node/node.sh'), 0o755);
  await writeFile(join(project, 'package.json'), json({
    name: 'fresh-clone', version: '1.0.0', private: true,
    engines: { node: '>=99' },
    dependencies: { node: 'file:./pinned-node' },
  }));
  await mkdir(join(project, 'scripts'));
  await copyFile(join(ROOT, 'scripts/bootstrap.cjs'), join(project, 'scripts/bootstrap.cjs'));
  const lock = spawnSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, encoding: 'utf8' });
  if (lock.status !== 0) throw new Error(`npm could not lock the fixture: ${lock.stderr}`);
}, 60_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

it('installs quietly on a Node the packages do not want, then runs the script on the pinned node', () => {
  const run = spawnSync(process.execPath, ['scripts/bootstrap.cjs', 'scripts/hello.ts', '--flag'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
  const screen = `${run.stdout}${run.stderr}`;
  expect(run.status).toBe(0);
  expect(screen).not.toMatch(/EBADENGINE|npm warn/i);
  expect(screen).toMatch(/^\[bootstrap\] first run: installing the locked dependencies .* not this machine's v\d+/m);
  expect(screen).toContain('pinned node ran: scripts/hello.ts --flag');
  expect(screen.trim().split('\n').length).toBeLessThanOrEqual(4);
  // The second run installs nothing and says nothing of its own.
  const again = spawnSync(process.execPath, ['scripts/bootstrap.cjs', 'scripts/hello.ts'], { cwd: project, encoding: 'utf8' });
  expect(`${again.stdout}${again.stderr}`.trim()).toBe('pinned node ran: scripts/hello.ts');
}, 150_000);
