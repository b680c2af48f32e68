/**
 * How many CPUs this process can really use: the tightest of the cgroup CPU quota (v2 `cpu.max`, v1
 * `cpu.cfs_quota_us / cpu.cfs_period_us`, at the process's own cgroup and every ancestor up to the
 * mount's root) and the CPU affinity mask (`Cpus_allowed_list`, which cpusets also narrow). The host's
 * core count is the wrong answer in a container with `--cpus 2` on a 48-core host (PM2 #4347 forked 48
 * workers there; nodejs/node #28762).
 *
 * Synchronous on purpose: it runs once, while settings are resolved, before anything forks. Every path is
 * read under `root` so tests can point it at a fixture tree.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, posix } from 'node:path';

/** Which limit decided the budget. */
export type CpuBudgetSource = 'cgroup-v2' | 'cgroup-v1' | 'affinity' | 'host';

/** One limit found on the way, in CPUs (fractional for quotas), with the file it came from. */
export interface CpuLimit {
  source: CpuBudgetSource;
  cpus: number;
  file: string;
}

/** The answer: whole CPUs (rounded up, at least 1), the deciding source and every limit seen. */
export interface CpuBudget {
  cpus: number;
  source: CpuBudgetSource;
  limits: CpuLimit[];
}

/** Where to read from; the defaults are the real machine. */
export interface CpuBudgetOptions {
  /** Prefix for every absolute path (a fixture tree in tests); default '/'. */
  root?: string;
  /** Fallback when /proc/self/status has no Cpus_allowed_list; default os.availableParallelism. */
  parallelism?: () => number;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

interface CgroupMount {
  version: 1 | 2;
  /** The cgroup path mounted there (not '/' when a container sees only its own subtree). */
  mountRoot: string;
  mountPoint: string;
}

/** Cgroup mounts that carry the cpu controller, from /proc/self/mountinfo. */
function findCpuMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    // "36 25 0:31 /docker/abc /sys/fs/cgroup/cpu rw,nosuid - cgroup cgroup rw,cpu,cpuacct"
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const fields = pre.split(' ');
    const [fsType, , superOptions = ''] = post.split(' ');
    const mountRoot = fields[3];
    const mountPoint = fields[4];
    if (!mountRoot || !mountPoint) continue;
    if (fsType === 'cgroup2') mounts.push({ version: 2, mountRoot, mountPoint });
    if (fsType === 'cgroup' && superOptions.split(',').includes('cpu')) mounts.push({ version: 1, mountRoot, mountPoint });
  }
  return mounts;
}

/** The process's cgroup path per hierarchy, from /proc/self/cgroup ("4:cpu,cpuacct:/a/b", "0::/c"). */
function ownCgroupPaths(procCgroup: string): { v1cpu: string | null; v2: string | null } {
  let v1cpu: string | null = null;
  let v2: string | null = null;
  for (const line of procCgroup.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, controllers = '', path = '/'] = match;
    if (id === '0' && controllers === '') v2 = path;
    else if (controllers.split(',').includes('cpu')) v1cpu = path;
  }
  return { v1cpu, v2 };
}

/** Directories from the process's cgroup up to the mount point; limits of ancestors apply too. */
function cgroupDirs(root: string, mount: CgroupMount, cgroupPath: string): string[] {
  const inMount = cgroupPath === mount.mountRoot || cgroupPath.startsWith(mount.mountRoot === '/' ? '/' : `${mount.mountRoot}/`);
  // Outside the mounted subtree (a container without a cgroup namespace): only the mount point is ours.
  const relative = inMount ? posix.relative(mount.mountRoot, cgroupPath) : '';
  const parts = relative ? relative.split('/') : [];
  const dirs: string[] = [];
  for (let i = parts.length; i >= 0; i -= 1) dirs.push(join(root, mount.mountPoint, ...parts.slice(0, i)));
  return dirs;
}

function quotaLimit(root: string, mount: CgroupMount, cgroupPath: string): CpuLimit[] {
  const limits: CpuLimit[] = [];
  for (const dir of cgroupDirs(root, mount, cgroupPath)) {
    if (mount.version === 2) {
      const [quota, period] = (readText(join(dir, 'cpu.max')) ?? '').trim().split(/\s+/);
      const cpus = Number(quota) / Number(period);
      if (quota !== 'max' && cpus > 0) limits.push({ source: 'cgroup-v2', cpus, file: join(dir, 'cpu.max') });
    } else {
      const quota = Number(readText(join(dir, 'cpu.cfs_quota_us'))?.trim());
      const period = Number(readText(join(dir, 'cpu.cfs_period_us'))?.trim());
      if (quota > 0 && period > 0) limits.push({ source: 'cgroup-v1', cpus: quota / period, file: join(dir, 'cpu.cfs_quota_us') });
    }
  }
  return limits;
}

/** Counts the CPUs of a list like "0-3,8,10-11". */
export function countCpuList(list: string): number {
  let count = 0;
  for (const part of list.trim().split(',')) {
    if (!part) continue;
    const [from, to = from] = part.split('-').map(Number);
    if (from !== undefined && to !== undefined && to >= from) count += to - from + 1;
  }
  return count;
}

function affinityLimit(root: string, parallelism: () => number): CpuLimit {
  const file = join(root, 'proc/self/status');
  const line = (readText(file) ?? '').split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
  const cpus = line ? countCpuList(line.slice('Cpus_allowed_list:'.length)) : 0;
  return cpus > 0 ? { source: 'affinity', cpus, file } : { source: 'host', cpus: parallelism(), file: 'os.availableParallelism()' };
}

/** The CPUs the process may really use, and why. */
export function cpuBudget(options: CpuBudgetOptions = {}): CpuBudget {
  const root = options.root ?? '/';
  const own = ownCgroupPaths(readText(join(root, 'proc/self/cgroup')) ?? '');
  const limits: CpuLimit[] = [];
  for (const mount of findCpuMounts(readText(join(root, 'proc/self/mountinfo')) ?? '')) {
    const path = mount.version === 2 ? own.v2 : own.v1cpu;
    if (path !== null) limits.push(...quotaLimit(root, mount, path));
  }
  limits.push(affinityLimit(root, options.parallelism ?? availableParallelism));
  // Ties go to the earlier entry: a quota equal to the affinity is reported as the quota.
  const tightest = limits.reduce((best, limit) => (limit.cpus < best.cpus ? limit : best));
  return { cpus: Math.max(1, Math.ceil(tightest.cpus)), source: tightest.source, limits };
}

/** The default `maxWorkers`: one worker per CPU the process may really use. */
export function defaultMaxWorkers(options?: CpuBudgetOptions): number {
  return cpuBudget(options).cpus;
}
