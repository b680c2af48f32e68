/**
 * The long-lived part of `npm run bench`: the gateway hosting bench/long-lived/ws-app.ts against the
 * same file on a bare node:cluster and on a second, identical bare cluster (the A/A control), in
 * rounds whose order rotates. Each round, each side: WebSocket echo on N workers, then worker RSS
 * per idle WebSocket on 1 worker; the gateway's 1-worker server also gives the time to the first
 * byte of an event stream, direct and through the rendered nginx.
 */
import { join } from 'node:path';
import { RUN_DIR } from '../contenders.ts';
import { startNginxFront } from '../lib/nginx.ts';
import { median, pairRatios, range } from '../lib/stats.ts';
import { SIDES, echo, firstByteMedians, idleRssPerSocket, startSide, type EchoResult, type Side } from './measure.ts';

export interface LongLivedSettings {
  rounds: number;
  durationS: number;
  warmupS: number;
  /** Echo clients, each sending as soon as its reply came. */
  clients: number;
  workers: number;
  /** Idle WebSockets opened on one worker. */
  idle: number;
  /** Event streams opened per round, direct and through nginx each. */
  sseRequests: number;
}

export interface LongLivedRound {
  order: Side[];
  echo: Record<Side, EchoResult>;
  idleRssB: Record<Side, number>;
  sseFirstByteMs: { direct: number; nginx: number };
}

/** Runs the rounds; `log` hears one line per side and round. */
export async function runLongLived(o: LongLivedSettings, log: (line: string) => void): Promise<LongLivedRound[]> {
  const rounds: LongLivedRound[] = [];
  for (let k = 0; k < o.rounds; k += 1) {
    const order = SIDES.map((_, i) => SIDES[(i + k) % SIDES.length]!);
    const echoes: Partial<Record<Side, EchoResult>> = {};
    const idle: Partial<Record<Side, number>> = {};
    let sse: LongLivedRound['sseFirstByteMs'] = { direct: Number.NaN, nginx: Number.NaN };
    for (const side of order) {
      const pool = await startSide(side, o.workers);
      try {
        echoes[side] = await echo(pool.port, pool.server.pid, o);
      } finally {
        await pool.server.stop();
      }
      const one = await startSide(side, 1);
      try {
        idle[side] = await idleRssPerSocket(one.port, one.server, o.idle);
        if (side === 'gateway') {
          const front = await startNginxFront('long-lived', one.port, join(RUN_DIR, 'long-lived'));
          try {
            sse = await firstByteMedians(one.port, front.port, o.sseRequests);
          } finally {
            await front.server.stop();
          }
        }
      } finally {
        await one.server.stop();
      }
      const e = echoes[side]!;
      log(`round ${k + 1} ${side}: echo ${e.perSecond.toFixed(0)}/s, p99 ${e.p99Ms.toFixed(2)} ms, ${e.cpuUsPerTrip.toFixed(1)} µs CPU/trip; idle ${idle[side]!.toFixed(0)} B/socket`);
    }
    rounds.push({ order, echo: echoes as Record<Side, EchoResult>, idleRssB: idle as Record<Side, number>, sseFirstByteMs: sse });
  }
  return rounds;
}

export interface LongLivedFigure {
  what: string;
  /** Median over rounds for each side (or for direct/nginx). */
  values: Record<string, number>;
  /** Median of the per-round ratios (or differences), and their min–max. */
  gateway: { value: number; spread: [number, number] };
  control?: { value: number; spread: [number, number] };
  goal?: { text: string; met: boolean };
}

const ratioOf = (rounds: LongLivedRound[], pick: (r: LongLivedRound, s: Side) => number, side: Side) => {
  const ratios = pairRatios(rounds.map((r) => pick(r, side)), rounds.map((r) => pick(r, 'bare')));
  return { value: median(ratios), spread: range(ratios) };
};

/** The figures the report prints, with the goals of issue 11 checked. */
export function summarizeLongLived(rounds: LongLivedRound[]): LongLivedFigure[] {
  const figure = (what: string, pick: (r: LongLivedRound, s: Side) => number, goal?: (ratio: number) => { text: string; met: boolean }): LongLivedFigure => {
    const gateway = ratioOf(rounds, pick, 'gateway');
    return {
      what,
      values: Object.fromEntries(SIDES.map((s) => [s, median(rounds.map((r) => pick(r, s)))])),
      gateway,
      control: ratioOf(rounds, pick, 'bare-twin'),
      ...(goal ? { goal: goal(gateway.value) } : {}),
    };
  };
  const sseDiffs = rounds.map((r) => r.sseFirstByteMs.nginx - r.sseFirstByteMs.direct);
  const sseDiff = median(sseDiffs);
  return [
    figure('WebSocket echo round trips/s', (r, s) => r.echo[s].perSecond, (v) => ({ text: '≥ 0.95', met: v >= 0.95 })),
    figure('WebSocket echo p99 (ms)', (r, s) => r.echo[s].p99Ms),
    figure('server CPU per echo round trip (µs)', (r, s) => r.echo[s].cpuUsPerTrip),
    figure('worker RSS per idle WebSocket (B)', (r, s) => r.idleRssB[s], (v) => ({ text: '≤ 1.10', met: v <= 1.1 })),
    {
      what: 'SSE first byte, through nginx − direct (ms)',
      values: { direct: median(rounds.map((r) => r.sseFirstByteMs.direct)), nginx: median(rounds.map((r) => r.sseFirstByteMs.nginx)) },
      gateway: { value: sseDiff, spread: range(sseDiffs) },
      goal: { text: 'within 1 ms', met: Math.abs(sseDiff) <= 1 },
    },
  ];
}
