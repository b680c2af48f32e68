/**
 * Load generation for bench/adapters.ts with wrk (C, one thread): a separate process that needs far
 * less CPU per request than a Node load generator, so on a 2-core machine it does not compress the
 * differences we measure.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { findExecutable } from '../../scripts/lib/system-packages.ts';
import type { SystemPackage } from '../../scripts/lib/system-packages.ts';

/** wrk from Debian, installed by ensureSystemPackages when missing. */
export const WRK_PACKAGE: SystemPackage = { bin: 'wrk', apt: 'wrk', why: 'the adapter benchmark load generator' };

/** One measurement. */
export interface WrkResult {
  requestsPerSec: number;
  /** Mean latency in milliseconds. */
  latencyMs: number;
  /** Socket errors plus non-2xx/3xx responses: a run with errors is not a valid figure. */
  errors: number;
  /** Requests completed in the run. */
  requests: number;
}

/** A request shape the benchmark sends. */
export interface Workload {
  name: string;
  path: string;
  method: 'GET' | 'POST';
  body?: string;
}

function scriptFor(workload: Workload): string | undefined {
  if (workload.method === 'GET') return undefined;
  const file = join(tmpdir(), `bench-adapters-${process.pid}-${workload.path.replace(/\W/g, '')}.lua`);
  const lua = [
    `wrk.method = "${workload.method}"`,
    `wrk.body = ${JSON.stringify(workload.body ?? '')}`,
    'wrk.headers["Content-Type"] = "application/json"',
  ].join('\n');
  writeFileSync(file, lua);
  return file;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Parses wrk's text report. */
export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const latency = /Latency\s+([\d.]+)(us|ms|s|m)\b/.exec(output);
  if (!rps || !latency) throw new Error(`cannot read wrk output:\n${output}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const total = /(\d+) requests in/.exec(output);
  return {
    requests: total ? Number(total[1]) : 0,
    requestsPerSec: Number(rps[1]),
    latencyMs: Number(latency[1]) * (UNITS[latency[2] ?? 'ms'] ?? 1),
    errors: socketErrors + (non2xx ? Number(non2xx[1]) : 0),
  };
}

/** Runs wrk against `url` for `seconds`, pinned to `cpu` when taskset exists. */
export async function runWrk(
  url: string,
  workload: Workload,
  options: { seconds: number; connections: number; cpu?: number },
): Promise<WrkResult> {
  const script = scriptFor(workload);
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, ...(script ? ['-s', script] : []), url + workload.path];
  const pin = options.cpu !== undefined && findExecutable('taskset') ? ['taskset', '-c', String(options.cpu)] : [];
  const out = await $({ quiet: true })`${[...pin, 'wrk', ...args]}`.timeout(`${options.seconds + 30}s`);
  return parseWrk(out.stdout);
}
