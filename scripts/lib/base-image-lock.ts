/**
 * A cross-process lock for building the stand-in base images: jest may run two container suites
 * at once, and two debootstraps into one folder would corrupt each other. `mkdir` is atomic; the
 * holder's pid inside lets a later run break a lock left by a crashed one.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function holderAlive(dir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EPERM: the process exists but belongs to someone else.
    if (code === 'EPERM') return true;
    // No pid yet: a holder between mkdir and writing it, unless the folder is old.
    if (code === 'ENOENT') return ageMs(dir) < 10_000;
    return false;
  }
}

function ageMs(dir: string): number {
  try {
    return Date.now() - statSync(dir).mtimeMs;
  } catch {
    return Infinity;
  }
}

/** Runs `work` while holding the lock at `dir`; waits up to `timeoutMs` for another holder. */
export async function withDirLock<T>(dir: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Give a fresh holder time to write its pid before judging it dead.
      await sleep(1000);
      if (!holderAlive(dir)) rmSync(dir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${dir}`);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
