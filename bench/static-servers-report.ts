/**
 * The Markdown of `npm run bench:static-servers`: medians over rounds per tier and case, and the
 * ratios to the reference nginx taken round by round (`pairedRatio`), the A/A twin's beside them
 * so a reader sees how much of a gap the machine's noise alone makes.
 */
import type { LoadResult } from './lib/wrk.ts';
import { median, pairRatios, pairedRatio, range } from './lib/stats.ts';

/** One tier under one case: its rounds, and its idle RSS per round (fresh processes each round). */
export interface TierRun {
  tier: string;
  case: string;
  rounds: LoadResult[];
  idleRssBytes: number[];
}

export interface ReportContext {
  rounds: number;
  durationS: number;
  connections: number;
  warmupS: number;
  workerProcesses: number;
  startedAt: Date;
  load: string;
  apacheVersion: string;
  nginxVersion: string;
  /** Tier every ratio is taken against, and the identical one that measures noise. */
  reference: string;
  twin: string;
}

const MiB = 2 ** 20;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (bytes: number) => fmt(bytes / MiB, 1);

function ratioCell(subject: number[], reference: number[]): string {
  const [low, high] = range(pairRatios(subject, reference));
  return `${fmt(pairedRatio(subject, reference), 3)} (${fmt(low, 2)}–${fmt(high, 2)})`;
}

/** The report: a command line, the machine's state, one table. */
export function staticServersReport(runs: TierRun[], c: ReportContext): string {
  const lines = [
    `Run on ${c.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${c.load} when it started; ` +
      `${c.nginxVersion} and ${c.apacheVersion} (event MPM), ${c.workerProcesses} worker processes each ` +
      `(Apache: ${c.workerProcesses} × 25 threads), wrk -c${c.connections}, ${c.rounds} rounds of ${c.durationS} s, ` +
      `${c.warmupS} s warm-up, fresh tier processes every round.`,
    '',
    '```sh',
    `flock /tmp/heavy.lock npm run bench:static-servers -- --rounds ${c.rounds} --duration ${c.durationS} --connections ${c.connections} --warmup ${c.warmupS}`,
    '```',
    '',
    '| case | tier | req/s (median) | req/s ratio | p99 ms | p99 ratio | tier CPU µs/request | CPU ratio | RSS idle MiB | RSS under load MiB | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const cases = [...new Set(runs.map((r) => r.case))];
  for (const name of cases) {
    const reference = runs.find((r) => r.case === name && r.tier === c.reference)!;
    for (const run of runs.filter((r) => r.case === name)) {
      const rps = run.rounds.map((r) => r.rps);
      const p99 = run.rounds.map((r) => r.p99Ms);
      const cpu = run.rounds.map((r) => r.cpuUsPerRequest);
      const isReference = run === reference;
      lines.push(`| ${name} | ${run.tier} | ${fmt(median(rps))} | ` +
        `${isReference ? '1.000' : ratioCell(rps, reference.rounds.map((r) => r.rps))} | ${fmt(median(p99), 2)} | ` +
        `${isReference ? '1.000' : ratioCell(p99, reference.rounds.map((r) => r.p99Ms))} | ${fmt(median(cpu), 1)} | ` +
        `${isReference ? '1.000' : ratioCell(cpu, reference.rounds.map((r) => r.cpuUsPerRequest))} | ${mib(median(run.idleRssBytes))} | ` +
        `${mib(median(run.rounds.map((r) => r.rssLoadBytes)))} | ${run.rounds.reduce((sum, r) => sum + r.errors, 0)} |`);
    }
  }
  lines.push('', 'Ratios: tier ÷ nginx, median of the per-round ratios (range in brackets); tier CPU: user + system time of the tier’s process tree (not the gateway’s) per request; RSS: the same tree, idle before the round, median of 250 ms samples under load; errors: wrk’s socket errors, timeouts and non-2xx/3xx answers over all rounds.');
  return lines.join('\n');
}
