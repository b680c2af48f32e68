/**
 * From raw rounds to the figures the report prints: medians per series, ratios against the
 * gateway taken round by round, and the targets checked against those ratios.
 */
import { median, pairedRatio, range } from './stats.ts';
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
}

export interface TargetCheck {
  what: string;
  goal: string;
  value: number;
  met: boolean;
}

const MiB = 2 ** 20;

/** One row per series; `reference` names the contender every ratio is taken against. */
export function summarize(series: Series[], reference = 'gateway'): Row[] {
  return series.map((s) => {
    const ref = series.find((r) => r.contender === reference && r.via === s.via && r.case === s.case);
    const rps = s.rounds.map((r) => r.rps);
    const p99 = s.rounds.map((r) => r.p99Ms);
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
    };
  });
}

/** The targets, for every case where both sides were measured. */
export function checkTargets(rows: Row[], reference = 'gateway'): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const find = (c: string, via: Row['via'], who: string): Row | undefined =>
    rows.find((r) => r.case === c && r.via === via && r.contender === who);
  for (const c of [...new Set(rows.map((r) => r.case))]) {
    const raw = find(c, 'direct', 'raw-cluster');
    if (raw && find(c, 'direct', reference)) {
      checks.push({ what: `${c}: ${reference} / raw-cluster throughput`, goal: '≥ 0.95', value: raw.gatewayRpsRatio, met: raw.gatewayRpsRatio >= 0.95 });
      checks.push({ what: `${c}: ${reference} / raw-cluster p99`, goal: '≤ 1.10', value: raw.gatewayP99Ratio, met: raw.gatewayP99Ratio <= 1.1 });
    }
    const pm2 = find(c, 'direct', 'pm2');
    if (pm2 && find(c, 'direct', reference)) {
      checks.push({ what: `${c}: ${reference} / PM2 throughput`, goal: '≥ 1.00', value: pm2.gatewayRpsRatio, met: pm2.gatewayRpsRatio >= 1 });
    }
    const rawNginx = find(c, 'nginx', 'raw-cluster');
    if (rawNginx && find(c, 'nginx', reference)) {
      checks.push({
        what: `${c}: behind nginx, ${reference} / raw-cluster throughput`,
        goal: '≥ 0.95',
        value: rawNginx.gatewayRpsRatio,
        met: rawNginx.gatewayRpsRatio >= 0.95,
      });
    }
  }
  return checks;
}
