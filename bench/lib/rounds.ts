/**
 * Alternating rounds: every target is measured once per round (A B C D, B C D A, C D A B, …), so
 * slow phases of the machine are spread over all contenders instead of one. The order rotates by
 * one each round because a fixed order was measured to penalise whoever goes first: with the
 * gateway always first its throughput ratio to the raw cluster was 0.74, in second place, in a
 * shorter run the same hour, 0.94 (docs/benchmarks.md, "How the figures are taken"). Targets stay
 * up for the whole run; only the load moves from one to the next.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { treeRss } from './proc-tree.ts';
import { runLoad, type LoadResult } from './wrk.ts';

/** One way of reaching one contender: `gateway` direct, `gateway` through nginx, … */
export interface Target {
  contender: string;
  via: 'direct' | 'nginx';
  /** Base URL, no trailing slash. */
  baseUrl: string;
  /** Root of the contender's process tree (RSS is summed over it; nginx is not counted). */
  pid: number;
}

/** One request shape the load generator repeats. */
export interface LoadCase {
  name: string;
  path: string;
  method: 'GET' | 'POST';
  body?: string;
}

export interface RoundsOptions {
  rounds: number;
  durationS: number;
  connections: number;
  /** Seconds of unrecorded load per target and case before round 1 (JIT warm-up). */
  warmupS: number;
  /** Called after every measurement, for progress output. */
  onResult?: (target: Target, loadCase: LoadCase, round: number, result: LoadResult) => void;
}

/** Results of one target under one case: one entry per round, in round order. */
export interface Series {
  contender: string;
  via: Target['via'];
  case: string;
  rounds: LoadResult[];
  /** RSS of the tree before any load (bytes). */
  idleRssBytes: number;
}

/** Run every case against every target, `rounds` times, alternating. */
export async function runRounds(targets: Target[], cases: LoadCase[], options: RoundsOptions): Promise<Series[]> {
  const series = new Map<string, Series>();
  const key = (t: Target, c: LoadCase): string => `${t.contender}|${t.via}|${c.name}`;
  for (const target of targets) {
    const idleRssBytes = treeRss(target.pid);
    for (const loadCase of cases) {
      series.set(key(target, loadCase), { contender: target.contender, via: target.via, case: loadCase.name, rounds: [], idleRssBytes });
    }
  }
  const load = (target: Target, loadCase: LoadCase, durationS: number): Promise<LoadResult> =>
    runLoad(
      {
        url: target.baseUrl + loadCase.path,
        connections: options.connections,
        durationS,
        method: loadCase.method,
        ...(loadCase.body === undefined ? {} : { body: loadCase.body }),
      },
      target.pid,
    );
  if (options.warmupS > 0) {
    for (const target of targets) for (const loadCase of cases) await load(target, loadCase, options.warmupS);
  }
  for (let round = 1; round <= options.rounds; round++) {
    const shift = (round - 1) % targets.length;
    const order = [...targets.slice(shift), ...targets.slice(0, shift)];
    for (const loadCase of cases) {
      for (const target of order) {
        const result = await load(target, loadCase, options.durationS);
        series.get(key(target, loadCase))!.rounds.push(result);
        options.onResult?.(target, loadCase, round, result);
        // A breath between runs so TIME_WAIT sockets and GC of the last run do not bleed into the next.
        await sleep(200);
      }
    }
  }
  return [...series.values()];
}
