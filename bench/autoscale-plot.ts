/**
 * The autoscaling benchmark's plot with vega-lite, rendered to SVG in Node (no browser): three panels
 * sharing the time axis — requests sent per second, serving workers, p99 latency per second — one
 * colour per pool and one line per round, so the rounds' spread on a noisy machine stays visible.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { percentile, type Round } from './autoscale-report.ts';

export type Series = Round;

/** Per-second rows: sent requests and p99 latency by scheduled second, workers from the samples. */
function rows(series: readonly Series[]) {
  const load: Array<{ t: number; sent: number }> = [];
  const latency: Array<{ t: number; pool: string; round: number; p99: number }> = [];
  const workers: Array<{ t: number; pool: string; round: number; ready: number }> = [];
  for (const [index, s] of series.entries()) {
    const bySecond = new Map<number, number[]>();
    for (const [t, ms] of s.shots) {
      const second = Math.floor(t);
      bySecond.set(second, [...(bySecond.get(second) ?? []), ms]);
    }
    const last = Math.ceil(Math.max(...s.samples.map((x) => x.t), 0));
    // Every round sends the same schedule: draw the load once.
    if (index === 0) for (let t = 0; t <= last; t += 1) load.push({ t, sent: bySecond.get(t)?.length ?? 0 });
    for (const [t, values] of bySecond) latency.push({ t, pool: s.pool, round: s.round, p99: percentile(values, 99) });
    for (const x of s.samples.filter((x) => x.t >= 0)) workers.push({ t: Math.round(x.t * 10) / 10, pool: s.pool, round: s.round, ready: x.ready });
  }
  return { load, latency, workers };
}

/** SVG of the three panels. */
export async function renderAutoscalePlot(
  series: readonly Series[],
  context: { rate: number; workMs: number; idleBefore: number; load: number; idleAfter: number },
): Promise<string> {
  const data = rows(series);
  const end = context.idleBefore + context.load + context.idleAfter;
  const x = { field: 't', type: 'quantitative' as const, title: 'seconds since the round started', scale: { domain: [0, end] } };
  const color = { field: 'pool', type: 'nominal', title: 'pool' } as const;
  const detail = { field: 'round', type: 'nominal' } as const;
  const panel = { width: 640, height: 130 };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Step load (${context.rate} req/s of ${context.workMs} ms CPU work): autoscaling 1–2 workers vs a fixed pool of 2`,
    vconcat: [
      {
        ...panel,
        data: { values: data.load },
        mark: { type: 'line', interpolate: 'step-after', color: '#555' },
        encoding: { x, y: { field: 'sent', type: 'quantitative', title: 'requests sent /s' } },
      },
      {
        ...panel,
        data: { values: data.workers },
        mark: { type: 'line', interpolate: 'step-after', opacity: 0.7 },
        encoding: { x, y: { field: 'ready', type: 'quantitative', title: 'serving workers', scale: { domain: [0, 3] }, axis: { tickMinStep: 1 } }, color, detail, strokeDash: color },
      },
      {
        ...panel,
        data: { values: data.latency },
        mark: { type: 'line', point: true, opacity: 0.7, clip: true },
        encoding: { x, y: { field: 'p99', type: 'quantitative', title: 'p99 latency per second (ms, log)', scale: { type: 'log' } }, color, detail },
      },
    ],
    config: { font: 'sans-serif', background: 'white', point: { size: 12 } },
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
