/**
 * Memory of a whole server as the kernel sees it: the resident set of a process and every
 * descendant (master, workers, PM2's daemon…), read from /proc so every contender is measured
 * the same way, whatever its own status page claims.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Parent PID of a process, or undefined when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** `pid` and all of its living descendants, parents before children. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = Number(entry);
    const parent = parentOf(child);
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (parentOf(next) === undefined) continue;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** Direct children of `pid` (a pool's workers, when `pid` is its master). */
export function childrenOf(pid: number): number[] {
  return processTree(pid).filter((p) => parentOf(p) === pid);
}

/** VmRSS of one process in bytes (0 when it is gone or a kernel thread). */
export function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** RSS of a pool as its parts: the whole tree, the root (master, primary, daemon) and its largest other process (a worker). */
export interface RssShape {
  tree: number;
  master: number;
  worker: number;
}

/** The tree rooted at `pid` measured as an `RssShape` (bytes). */
export function rssShape(pid: number): RssShape {
  const [root = pid, ...rest] = processTree(pid);
  const others = rest.map(rssOf);
  const master = rssOf(root);
  return { tree: others.reduce((sum, r) => sum + r, master), master, worker: Math.max(0, ...others) };
}

/** Sum of VmRSS over the process tree rooted at `pid`, in bytes. */
export function treeRss(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + rssOf(p), 0);
}

/** Whether a process exists (and is not a zombie we have yet to reap). */
export function isAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Kernel clock ticks per second, the unit of the CPU times in /proc/PID/stat. */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of one process and its reaped children, in clock ticks (0 when gone). */
function cpuTicksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return 0;
  }
}

/** CPU time used so far by the whole tree rooted at `pid`, in microseconds. */
export function treeCpuMicros(pid: number): number {
  return (processTree(pid).reduce((sum, p) => sum + cpuTicksOf(p), 0) * 1e6) / CLOCK_TICKS;
}
