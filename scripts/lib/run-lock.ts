/**
 * "Is a stack already running?": a lock file in the run folder holding the running stack's pid and
 * URLs, plus a port check, so a second `npm start` says what is going on instead of failing on a
 * busy port half-way through.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** What the lock file records about the running stack. */
export interface LockInfo {
  pid: number;
  siteUrl: string;
  statusUrl: string;
  startedAt: string;
  /** The stack script's path as the process was started with it (its argv[1]). */
  script?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Is the stack that wrote this lock still running? Its pid alone is not enough: run/ lives in the
 * checkout and outlasts a reboot, after which a low pid is soon some other program's. Where /proc
 * shows command lines, the process must also be running the stack script the lock names.
 */
function holdsLock(holder: LockInfo): boolean {
  if (!isAlive(holder.pid)) return false;
  if (!holder.script) return true;
  try {
    // Node resolves argv[1]; the command line has it as typed, maybe relative to the process's folder.
    const cwd = readlinkSync(`/proc/${holder.pid}/cwd`);
    return readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').split('\0').some((arg) => arg && resolve(cwd, arg) === holder.script);
  } catch {
    return true; // no /proc (or not ours to read): the pid is all we have
  }
}

/** The lock taken: how to release it, and the dead stack it was taken over from, if any. */
export interface HeldLock {
  release: () => Promise<void>;
  tookOverFrom?: LockInfo;
}

/**
 * Take the lock in `runDir`; resolves to the held lock, or to the running stack's info when
 * another live stack holds it. A lock left by a stack that died is taken over.
 */
export async function acquireRunLock(runDir: string, info: LockInfo): Promise<HeldLock | { heldBy: LockInfo }> {
  await mkdir(runDir, { recursive: true });
  const file = join(runDir, 'stack.lock');
  let dead: LockInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${JSON.stringify(info)}\n`);
      await handle.close();
      return { release: () => rm(file, { force: true }), ...(dead ? { tookOverFrom: dead } : {}) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readLock(file);
      if (holder && holdsLock(holder)) return { heldBy: holder };
      dead = holder;
      await rm(file, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}

async function readLock(file: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/** True once nothing listens on host:port, polling until `waitMs` has passed. */
export async function isPortFreeWithin(port: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (!(await isPortFree(port))) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}

/** True when nothing listens on host:port (we could bind it ourselves). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
