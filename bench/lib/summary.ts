/**
 * From raw rounds to the figures the report prints: medians per series, ratios against the
 * gateway taken round by round, and the targets checked against those ratios.
 */
import { median, pairRatios, pairedRatio, range } from './stats.ts';
import type { Series } from './rounds.ts';

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

/** The targets, for every case where both sides were measured. */
export function checkTargets(series: Series[], reference = 'gateway'): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const find = (c: string, via: Series['via'], who: string): Series | undefined =>
    series.find((s) => s.case === c && s.via === via && s.contender === who);
  const check = (what: string, goal: string, ratios: number[], met: (v: number) => boolean): void => {
    const value = median(ratios);
    checks.push({ what, goal, value, spread: range(ratios), met: met(value) });
  };
  const rps = (s: Series): number[] => s.rounds.map((r) => r.rps);
  const p99 = (s: Series): number[] => s.rounds.map((r) => r.p99Ms);
  for (const c of [...new Set(series.map((s) => s.case))]) {
    const gw = find(c, 'direct', reference);
    const raw = find(c, 'direct', 'raw-cluster');
    const pm2 = find(c, 'direct', 'pm2');
    const gwNginx = find(c, 'nginx', reference);
    const rawNginx = find(c, 'nginx', 'raw-cluster');
    if (gw && raw) {
      check(`${c}: ${reference} / raw-cluster throughput`, '≥ 0.95', pairRatios(rps(gw), rps(raw)), (v) => v >= 0.95);
      check(`${c}: ${reference} / raw-cluster p99`, '≤ 1.10', pairRatios(p99(gw), p99(raw)), (v) => v <= 1.1);
    }
    if (gw && raw) {
      const cpu = (x: Series): number[] => x.rounds.map((r) => r.cpuUsPerRequest ?? Number.NaN);
      check(`${c}: ${reference} / raw-cluster CPU per request (noise-robust companion of the throughput target)`, '≤ 1.05', pairRatios(cpu(gw), cpu(raw)), (v) => v <= 1.05);
    }
    if (gw && pm2) check(`${c}: ${reference} / PM2 throughput`, '≥ 1.00', pairRatios(rps(gw), rps(pm2)), (v) => v >= 1);
    if (gwNginx && rawNginx) {
      check(`${c}: behind nginx, ${reference} / raw-cluster throughput`, '≥ 0.95', pairRatios(rps(gwNginx), rps(rawNginx)), (v) => v >= 0.95);
    }
  }
  return checks;
}
