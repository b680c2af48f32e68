/**
 * Load from a separate process: Debian's wrk. Chosen over autocannon because the load generator
 * shares two cores with the server under test: wrk is C with an event loop per thread and costs a
 * fraction of the CPU a Node load generator needs for the same request rate, so more of the
 * machine is left to the contenders and the generator is less likely to be the bottleneck
 * (autocannon's own README warns it can be). Its HdrHistogram gives p50/p99 directly.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findExecutable } from '../../scripts/lib/system-packages.ts';
import type { SystemPackage } from '../../scripts/lib/system-packages.ts';
import { rssShape, treeCpuMicros, type RssShape } from './proc-tree.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));

/** Debian packages the benchmark needs besides nginx. */
export const WRK: SystemPackage = { bin: 'wrk', apt: 'wrk', why: 'the load generator of the benchmarks' };
export const GUNICORN: SystemPackage = { bin: 'gunicorn', apt: 'gunicorn', why: 'the gunicorn contender' };

export interface LoadSpec {
  url: string;
  connections: number;
  durationS: number;
  /** wrk threads (default 1: the second core belongs to the server). */
  threads?: number;
  method?: 'GET' | 'POST';
  body?: string;
}

export interface LoadResult {
  requests: number;
  /** Requests per second over the run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Sum of wrk's socket errors, timeouts and non-2xx/3xx responses. */
  errors: number;
  /** Median of RSS samples of the server's process tree during the run (bytes). */
  rssLoadBytes: number;
  /** Medians of the same samples for the tree's root (master) and its largest worker (bytes). */
  rssLoad?: RssShape;
  /**
   * CPU time the server's tree spent per request (µs): robust to a noisy machine, where time stolen
   * by other processes lowers req/s but hardly changes the CPU each request costs.
   */
  cpuUsPerRequest: number;
}

interface WrkJson {
  requests: number;
  durationUs: number;
  errors: Record<'connect' | 'read' | 'write' | 'status' | 'timeout', number>;
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

/** Run wrk against `spec.url` while sampling the RSS of `serverPid`'s tree every 250 ms. */
export async function runLoad(spec: LoadSpec, serverPid?: number): Promise<LoadResult> {
  const wrk = findExecutable('wrk');
  if (!wrk) throw new Error('wrk is not installed (apt-get install wrk)');
  const samples: RssShape[] = [];
  const cpuBefore = serverPid ? treeCpuMicros(serverPid) : 0;
  const sampler = serverPid ? setInterval(() => samples.push(rssShape(serverPid)), 250) : undefined;
  try {
    const args = ['-t', String(spec.threads ?? 1), '-c', String(spec.connections), '-d', `${spec.durationS}s`];
    args.push('--timeout', '5s', '-s', SCRIPT, spec.url);
    const env = { ...process.env, WRK_METHOD: spec.method ?? 'GET', WRK_BODY: spec.body ?? '' };
    const { stdout } = await run(wrk, args, { env, timeout: (spec.durationS + 30) * 1000 });
    const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
    const json = JSON.parse(line.slice('WRK_JSON '.length)) as WrkJson;
    const errors = Object.values(json.errors).reduce((a, b) => a + b, 0);
    const mid = (part: keyof RssShape): number => samples.map((x) => x[part]).sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
    const cpuUs = serverPid ? treeCpuMicros(serverPid) - cpuBefore : Number.NaN;
    return {
      requests: json.requests,
      rps: json.requests / (json.durationUs / 1e6),
      p50Ms: json.latencyUs.p50 / 1000,
      p99Ms: json.latencyUs.p99 / 1000,
      errors,
      rssLoadBytes: mid('tree'),
      rssLoad: { tree: mid('tree'), master: mid('master'), worker: mid('worker') },
      cpuUsPerRequest: json.requests > 0 ? cpuUs / json.requests : Number.NaN,
    };
  } finally {
    if (sampler) clearInterval(sampler);
  }
}
