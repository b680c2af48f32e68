/**
 * Figures and the markdown results section of the autoscaling benchmark (bench/autoscale.ts): time
 * to scale up and back down, p99 latency during the ramp and the whole load against the fixed pool,
 * medians over rounds and ratios.
 */
import type { Machine } from './lib/machine.ts';

/** One /status sample: seconds since the round's start, target and ready workers, their mean ELU. */
export interface Sample {
  t: number;
  target: number;
  ready: number;
  elu: number;
}

/** One pool's round: samples, every request as [scheduled s since start, latency ms, status], phases. */
export interface Round {
  pool: string;
  round: number;
  /** 1-minute load average of the machine when the round started: how noisy it was. */
  loadAverage: string;
  samples: Sample[];
  shots: Array<[number, number, number]>;
  loadStart: number;
  loadEnd: number;
}

/** What one round measured. */
export interface RoundFigures {
  pool: string;
  round: number;
  loadAverage: string;
  scaleUpS: number | null;
  scaleDownS: number | null;
  p50RampMs: number;
  p99RampMs: number;
  p99LoadMs: number;
  okPerS: number;
  failed: number;
  workerSeconds: number;
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The figures of each round; `rampS` is how much of the load's start counts as the ramp. */
export function summarizeRounds(rounds: readonly Round[], rampS: number): RoundFigures[] {
  return rounds.map((r) => {
    const max = Math.max(...r.samples.map((s) => s.ready));
    const startedFull = (r.samples.find((s) => s.t >= 0)?.ready ?? 0) >= max;
    const up = r.samples.find((s) => s.t >= r.loadStart && s.ready >= max);
    const down = r.samples.find((s) => s.t >= r.loadEnd && s.target < max);
    const during = (from: number, to: number) => r.shots.filter(([t]) => t >= from && t < to);
    const ramp = during(r.loadStart, r.loadStart + rampS).map(([, ms]) => ms);
    const load = during(r.loadStart, r.loadEnd);
    return {
      pool: r.pool,
      round: r.round,
      loadAverage: r.loadAverage,
      scaleUpS: startedFull || !up ? null : up.t - r.loadStart,
      scaleDownS: startedFull || !down ? null : down.t - r.loadEnd,
      p50RampMs: percentile(ramp, 50),
      p99RampMs: percentile(ramp, 99),
      p99LoadMs: percentile(load.map(([, ms]) => ms), 99),
      okPerS: load.filter(([, , status]) => status === 200).length / (r.loadEnd - r.loadStart),
      failed: r.shots.filter(([, , status]) => status !== 200).length,
      workerSeconds: r.samples.reduce((sum, s) => sum + s.ready, 0),
    };
  });
}

const fmt = (n: number | null, digits = 1) => (n === null || Number.isNaN(n) ? '—' : n.toFixed(digits));

/** The markdown results section. */
export function renderResults(
  rounds: readonly Round[],
  context: { rounds: number; idleBefore: number; load: number; idleAfter: number; rate: number; workMs: number; sockets: number; ramp: number; pools: Array<{ name: string; args: string[] }>; machine: Machine; command: string },
): string {
  const figures = summarizeRounds(rounds, context.ramp);
  const pools = context.pools.map((p) => p.name);
  const med = (pool: string, pick: (f: RoundFigures) => number | null) => {
    const values = figures.filter((f) => f.pool === pool).map(pick).filter((v): v is number => v !== null && !Number.isNaN(v));
    return values.length ? median(values) : null;
  };
  const [auto, fixed] = pools as [string, string];
  const ratio = (pick: (f: RoundFigures) => number | null) => {
    const a = med(auto, pick);
    const b = med(fixed, pick);
    return a !== null && b !== null && b > 0 ? `${(a / b).toFixed(2)}×` : '—';
  };
  const m = context.machine;
  const lines = [
    '## Measured: step load against an autoscaling and a fixed pool',
    '',
    `Command: \`${context.command}\` (bench/autoscale.ts). ${context.rounds} round(s), pools alternating in order each round.`,
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), Node ${m.node}, kernel ${m.kernel}, load average ${m.loadAverage} at the start (a shared, noisy machine).`,
    '',
    `Load: idle ${context.idleBefore} s → ${context.rate} requests/s for ${context.load} s → idle ${context.idleAfter} s, open loop`,
    `(each request timed from its scheduled send time, up to ${context.sockets} keep-alive sockets), against a CPU-bound app`,
    `that spins ${context.workMs} ms per request, so the load is about ${((context.rate * context.workMs) / 1000).toFixed(1)} CPUs of app work plus the gateway's own.`,
    `Pools: ${context.pools.map((p) => `${p.name} (\`${p.args.join(' ')}\`)`).join(', ')}; every other setting at its default.`,
    `"Ramp" is the first ${context.ramp} s of the load.`,
    '',
    '| pool | round | load avg | scale up (s) | scale down (s) | p50 ramp (ms) | p99 ramp (ms) | p99 whole load (ms) | ok req/s | failed | worker-seconds |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.pool} | ${f.round} | ${f.loadAverage} | ${fmt(f.scaleUpS)} | ${fmt(f.scaleDownS)} | ${fmt(f.p50RampMs, 0)} | ${fmt(f.p99RampMs, 0)} | ${fmt(f.p99LoadMs, 0)} | ${fmt(f.okPerS, 0)} | ${f.failed} | ${f.workerSeconds} |`,
    ),
    '',
    '| median over rounds | scale up (s) | scale down (s) | p99 ramp (ms) | p99 whole load (ms) | worker-seconds |',
    '|---|---|---|---|---|---|',
    ...pools.map(
      (p) =>
        `| ${p} | ${fmt(med(p, (f) => f.scaleUpS))} | ${fmt(med(p, (f) => f.scaleDownS))} | ${fmt(med(p, (f) => f.p99RampMs), 0)} | ${fmt(med(p, (f) => f.p99LoadMs), 0)} | ${fmt(med(p, (f) => f.workerSeconds), 0)} |`,
    ),
    `| ratio ${auto} / ${fixed} | | | ${ratio((f) => f.p99RampMs)} | ${ratio((f) => f.p99LoadMs)} | ${ratio((f) => f.workerSeconds)} |`,
    '',
    'Scale up: from the start of the load to the first /status sample (1 s apart) with both workers ready.',
    'Scale down: from the end of the load to the first sample whose target is back at one worker.',
    '',
    'Failed: requests without a 200 (10 s client timeout or a connection error). Worker-seconds: the sum of ready workers over the 1 s samples.',
    '',
    '![load, serving workers and p99 latency per second over time, every round](img/autoscale.svg)',
  ];
  return lines.join('\n');
}
