/**
 * From raw rounds to the figures the report prints: medians per series, ratios against the
 * gateway taken round by round, and the targets checked against those ratios.
 */
import { median, pairRatios, pairedRatio, range } from './stats.ts';
import type { Series } from './rounds.ts';
import type { RssShape } from './proc-tree.ts';

export interface Row {
  case: string;
  via: Series['via'];
  contender: string;
  rps: number;
  rpsRange: [number, number];
  p50Ms: number;
  p99Ms: number;
  idleRssMiB: number;
  loadRssMiB: number;
  errors: number;
  /** Median over rounds of gateway_rps[k] / this_rps[k] (1 for the gateway itself). */
  gatewayRpsRatio: number;
  /** Median over rounds of gateway_p99[k] / this_p99[k]. */
  gatewayP99Ratio: number;
  /** Median CPU µs per request of the contender's tree. */
  cpuUsPerRequest: number;
  /** Median over rounds of gateway_cpu[k] / this_cpu[k] (below 1: the gateway is cheaper). */
  gatewayCpuRatio: number;
}

export interface TargetCheck {
  what: string;
  goal: string;
  /** Median of the per-round ratios. */
  value: number;
  /** Lowest and highest per-round ratio: how far one round could mislead. */
  spread: [number, number];
  met: boolean;
}

/** A measured ratio with no goal: the A/A control's. */
export interface ControlCheck {
  what: string;
  /** Median of the per-round ratios (1.00 on a quiet machine). */
  value: number;
  spread: [number, number];
}

const MiB = 2 ** 20;

/** One row per series (by case, then direct before nginx, then contender order); ratios against `reference`. */
export function summarize(series: Series[], reference = 'gateway'): Row[] {
  const cases = [...new Set(series.map((s) => s.case))];
  const contenders = [...new Set(series.map((s) => s.contender))];
  const order = (s: Series): number => cases.indexOf(s.case) * 1e6 + (s.via === 'nginx' ? 1e3 : 0) + contenders.indexOf(s.contender);
  return [...series].sort((a, b) => order(a) - order(b)).map((s) => {
    const ref = series.find((r) => r.contender === reference && r.via === s.via && r.case === s.case);
    const rps = s.rounds.map((r) => r.rps);
    const p99 = s.rounds.map((r) => r.p99Ms);
    const cpu = s.rounds.map((r) => r.cpuUsPerRequest ?? Number.NaN);
    return {
      case: s.case,
      via: s.via,
      contender: s.contender,
      rps: median(rps),
      rpsRange: range(rps),
      p50Ms: median(s.rounds.map((r) => r.p50Ms)),
      p99Ms: median(p99),
      idleRssMiB: s.idleRssBytes / MiB,
      loadRssMiB: median(s.rounds.map((r) => r.rssLoadBytes)) / MiB,
      errors: s.rounds.reduce((sum, r) => sum + r.errors, 0),
      gatewayRpsRatio: ref ? pairedRatio(ref.rounds.map((r) => r.rps), rps) : Number.NaN,
      gatewayP99Ratio: ref ? pairedRatio(ref.rounds.map((r) => r.p99Ms), p99) : Number.NaN,
      cpuUsPerRequest: median(cpu),
      gatewayCpuRatio: ref ? pairedRatio(ref.rounds.map((r) => r.cpuUsPerRequest ?? Number.NaN), cpu) : Number.NaN,
    };
  });
}

type Round = Series['rounds'][number];
type Goal = { atLeast: number } | { atMost: number };
interface Metric {
  label: string;
  of: (r: Round) => number;
}
const THROUGHPUT: Metric = { label: 'throughput', of: (r: Round) => r.rps };
const P99: Metric = { label: 'p99', of: (r: Round) => r.p99Ms };
const CPU: Metric = { label: 'CPU per request (noise-robust companion of the throughput target)', of: (r: Round) => r.cpuUsPerRequest ?? Number.NaN };

/**
 * The targets as data: each compares one of our contenders (`ours`; left out, the reference
 * contender) with a peer, in every case where both were measured. The fetch app is held to the same
 * bar against the same fetch app on a bare cluster behind the same adapter, so each pair differs
 * only in the gateway's own work.
 */
const TARGET_PAIRS: { ours?: string; peer: string; via: Series['via']; metric: Metric; goal: Goal }[] = [
  { peer: 'raw-cluster', via: 'direct', metric: THROUGHPUT, goal: { atLeast: 0.95 } },
  { peer: 'raw-cluster', via: 'direct', metric: P99, goal: { atMost: 1.1 } },
  { peer: 'raw-cluster', via: 'direct', metric: CPU, goal: { atMost: 1.05 } },
  { peer: 'pm2', via: 'direct', metric: THROUGHPUT, goal: { atLeast: 1 } },
  { peer: 'raw-cluster', via: 'nginx', metric: THROUGHPUT, goal: { atLeast: 0.95 } },
  { ours: 'gateway-logged', peer: 'raw-cluster', via: 'direct', metric: THROUGHPUT, goal: { atLeast: 0.9 } },
  // Whether nginx → gateway over a unix socket beats TCP loopback: the local stack uses it only if so.
  { ours: 'gateway-unix', peer: 'gateway', via: 'nginx', metric: THROUGHPUT, goal: { atLeast: 1 } },
  { ours: 'gateway-unix', peer: 'gateway', via: 'nginx', metric: CPU, goal: { atMost: 1 } },
  { ours: 'gateway-fetch', peer: 'raw-cluster-fetch', via: 'direct', metric: THROUGHPUT, goal: { atLeast: 0.95 } },
  { ours: 'gateway-fetch', peer: 'raw-cluster-fetch', via: 'direct', metric: P99, goal: { atMost: 1.1 } },
  { ours: 'gateway-fetch', peer: 'raw-cluster-fetch', via: 'nginx', metric: THROUGHPUT, goal: { atLeast: 0.95 } },
];

/**
 * The A/A control: the raw cluster against an identical twin (same code, same settings, a second
 * copy of the process tree) in the same rounds. Any distance from 1.00, and its per-round spread,
 * is what this machine does to a comparison of two equal servers; a target that misses by less
 * than that is not told apart from meeting it by this run.
 */
export const CONTROL = { subject: 'raw-cluster-twin', peer: 'raw-cluster' } as const;

/** The control's ratios, for every case and path where both twins were measured. */
export function noiseFloor(series: Series[]): ControlCheck[] {
  const checks: ControlCheck[] = [];
  for (const c of [...new Set(series.map((s) => s.case))]) {
    for (const via of ['direct', 'nginx'] as const) {
      const a = series.find((s) => s.case === c && s.via === via && s.contender === CONTROL.subject);
      const b = series.find((s) => s.case === c && s.via === via && s.contender === CONTROL.peer);
      if (!a || !b) continue;
      for (const metric of [THROUGHPUT, P99, CPU]) {
        const ratios = pairRatios(a.rounds.map(metric.of), b.rounds.map(metric.of));
        const label = metric === CPU ? 'CPU per request' : metric.label;
        const where = via === 'nginx' ? 'behind nginx, ' : '';
        checks.push({ what: `${c}: ${where}${CONTROL.subject} / ${CONTROL.peer} ${label}`, value: median(ratios), spread: range(ratios) });
      }
    }
  }
  return checks;
}

/** The targets, for every case where both sides were measured. */
export function checkTargets(series: Series[], reference = 'gateway'): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const find = (c: string, via: Series['via'], who: string): Series | undefined =>
    series.find((s) => s.case === c && s.via === via && s.contender === who);
  for (const c of [...new Set(series.map((s) => s.case))]) {
    for (const pair of TARGET_PAIRS) {
      const ours = pair.ours ?? reference;
      const a = find(c, pair.via, ours);
      const b = find(c, pair.via, pair.peer);
      if (!a || !b) continue;
      const ratios = pairRatios(a.rounds.map(pair.metric.of), b.rounds.map(pair.metric.of));
      const value = median(ratios);
      const where = pair.via === 'nginx' ? 'behind nginx, ' : '';
      const goal = 'atLeast' in pair.goal ? `≥ ${pair.goal.atLeast.toFixed(2)}` : `≤ ${pair.goal.atMost.toFixed(2)}`;
      const met = 'atLeast' in pair.goal ? value >= pair.goal.atLeast : value <= pair.goal.atMost;
      checks.push({ what: `${c}: ${where}${ours} / ${pair.peer} ${pair.metric.label}`, goal, value, spread: range(ratios), met });
    }
  }
  return checks;
}

/** One contender's memory, reached directly, in MiB: idle before the first round, and under load (median over rounds). */
export interface MemoryRow {
  contender: string;
  idle: RssShape;
  load: RssShape;
}

/** The memory goals: the gateway's tree against the raw cluster's, and its worker against a raw worker. */
export const MEMORY_GOALS = { peer: 'raw-cluster', treeRatioAtMost: 1.15, workerExtraMiBAtMost: 8 } as const;

const direct = (series: Series[]): Series[] => {
  const first = series[0]?.case;
  return series.filter((s) => s.via === 'direct' && s.case === first);
};
const inMiB = (shape: RssShape): RssShape => ({ tree: shape.tree / MiB, master: shape.master / MiB, worker: shape.worker / MiB });
const loadOf = (s: Series, part: keyof RssShape): number[] => s.rounds.map((r) => (r.rssLoad?.[part] ?? Number.NaN) / MiB);

/** The memory table: every contender, reached directly, under the first case's load. */
export function memoryRows(series: Series[]): MemoryRow[] {
  return direct(series).map((s) => ({
    contender: s.contender,
    idle: inMiB(s.idleRss ?? { tree: s.idleRssBytes, master: Number.NaN, worker: Number.NaN }),
    load: { tree: median(loadOf(s, 'tree')), master: median(loadOf(s, 'master')), worker: median(loadOf(s, 'worker')) },
  }));
}

/** The memory goals, idle and under load, for `reference` (and every contender named `ours`). */
export function checkMemory(series: Series[], reference = 'gateway'): TargetCheck[] {
  const rows = direct(series);
  const ours = rows.find((s) => s.contender === reference);
  const peer = rows.find((s) => s.contender === MEMORY_GOALS.peer);
  if (!ours || !ours.idleRss || !peer || !peer.idleRss) return [];
  const peerName = MEMORY_GOALS.peer;
  const tree = (when: string) => `memory ${when}: ${reference} tree / ${peerName} tree (RSS)`;
  const worker = (when: string) => `memory ${when}: ${reference} worker − ${peerName} worker (RSS MiB, largest worker each)`;
  const treeIdle = ours.idleRss.tree / peer.idleRss.tree;
  const workerIdle = (ours.idleRss.worker - peer.idleRss.worker) / MiB;
  const treeLoad = pairRatios(loadOf(ours, 'tree'), loadOf(peer, 'tree'));
  const workerLoad = loadOf(ours, 'worker').map((w, k) => w - (loadOf(peer, 'worker')[k] ?? Number.NaN));
  const ratioGoal = `≤ ${MEMORY_GOALS.treeRatioAtMost.toFixed(2)}×`;
  const extraGoal = `≤ +${MEMORY_GOALS.workerExtraMiBAtMost} MiB`;
  const check = (label: string, goal: string, values: number[], limit: number): TargetCheck => {
    const value = median(values);
    return { what: label, goal, value, spread: range(values), met: value <= limit };
  };
  return [
    check(tree('idle'), ratioGoal, [treeIdle], MEMORY_GOALS.treeRatioAtMost),
    check(tree('under load'), ratioGoal, treeLoad, MEMORY_GOALS.treeRatioAtMost),
    check(worker('idle'), extraGoal, [workerIdle], MEMORY_GOALS.workerExtraMiBAtMost),
    check(worker('under load'), extraGoal, workerLoad, MEMORY_GOALS.workerExtraMiBAtMost),
  ];
}
