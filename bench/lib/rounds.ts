/**
 * Alternating rounds: every target is measured once per round (A B C D, B C D A, C D A B, …), so
 * slow phases of the machine are spread over all contenders instead of one. The order rotates by
 * one each round because a fixed order was measured to penalise whoever goes first: with the
 * gateway always first its throughput ratio to the raw cluster was 0.74, in second place, in a
 * shorter run the same hour, 0.94 (docs/benchmarks.md, "How the figures are taken").
 *
 * With `restart`, every round runs on fresh processes: two identical servers started side by side
 * and kept up for a whole run differed by up to 28 % in req/s on this machine, round after round
 * (docs/benchmarks.md), so one process per contender for the run samples that luck once, and a
 * median over rounds cannot cancel it. A restart per round samples it every round.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { rssShape, type RssShape } from './proc-tree.ts';
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
  /**
   * Stops every server and starts it again, returning the new targets (same contenders and paths,
   * same order); called before every round but the first, followed by the warm-up again.
   */
  restart?: () => Promise<Target[]>;
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
  /** The same idle reading split into master and largest worker (bytes). */
  idleRss?: RssShape;
}

/** Run every case against every target, `rounds` times, alternating. */
export async function runRounds(first: Target[], cases: LoadCase[], options: RoundsOptions): Promise<Series[]> {
  let targets = first;
  const series = new Map<string, Series>();
  const key = (t: Target, c: LoadCase): string => `${t.contender}|${t.via}|${c.name}`;
  for (const target of targets) {
    const idleRss = rssShape(target.pid);
    for (const loadCase of cases) {
      series.set(key(target, loadCase), { contender: target.contender, via: target.via, case: loadCase.name, rounds: [], idleRssBytes: idleRss.tree, idleRss });
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
  const warmUp = async (): Promise<void> => {
    if (options.warmupS > 0) for (const target of targets) for (const loadCase of cases) await load(target, loadCase, options.warmupS);
  };
  await warmUp();
  for (let round = 1; round <= options.rounds; round++) {
    if (round > 1 && options.restart) {
      targets = await options.restart();
      await warmUp();
    }
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
