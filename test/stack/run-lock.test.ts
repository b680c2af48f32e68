/**
 * The run folder's lock: a live stack holds it; a lock left by a stack that died, or whose pid now
 * belongs to another program (run/ outlasts a reboot), is taken over and reported as such.
 */
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireRunLock, type LockInfo } from '../../scripts/lib/run-lock.ts';

let runDir: string;
const info = (pid: number, script?: string): LockInfo => ({
  pid, siteUrl: 'http://127.0.0.1:8080/', statusUrl: 'http://127.0.0.1:9000/status', startedAt: '2026-12-03T00:00:00.000Z',
  ...(script ? { script } : {}),
});
const leaveLock = (holder: LockInfo) => writeFile(join(runDir, 'stack.lock'), `${JSON.stringify(holder)}\n`);

beforeEach(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'kit-lock-'));
});
afterEach(() => rm(runDir, { recursive: true, force: true }));

it('is refused while the stack that holds it runs', async () => {
  // This process stands in for a running stack: its pid, started with this script.
  await leaveLock(info(process.pid, process.argv[1]));
  expect(await acquireRunLock(runDir, info(1))).toEqual({ heldBy: info(process.pid, process.argv[1]) });
});

it('is taken over from a stack that died', async () => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  await leaveLock(info(dead, '/kit/scripts/stack.ts'));
  const lock = await acquireRunLock(runDir, info(process.pid));
  expect(lock).toMatchObject({ tookOverFrom: { pid: dead } });
  if ('release' in lock) await lock.release();
});

it('is taken over when its pid now runs another program', async () => {
  await leaveLock(info(process.pid, '/kit/scripts/stack.ts'));
  const lock = await acquireRunLock(runDir, info(process.pid));
  expect(lock).toMatchObject({ tookOverFrom: { pid: process.pid } });
});
