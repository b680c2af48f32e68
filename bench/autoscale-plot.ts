/**
 * The autoscaling benchmark's plot with vega-lite, rendered to SVG in Node (no browser): three panels
 * sharing the time axis — requests sent per second, serving workers, p99 latency per second — one
 * colour per pool.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { percentile, type Round } from './autoscale-report.ts';

export type Series = Round;

/** Per-second rows: sent requests and p99 latency by scheduled second, workers from the samples. */
function rows(series: readonly Series[]) {
  const load: Array<{ t: number; pool: string; sent: number }> = [];
  const latency: Array<{ t: number; pool: string; p99: number }> = [];
  const workers: Array<{ t: number; pool: string; ready: number }> = [];
  for (const s of series) {
    const bySecond = new Map<number, number[]>();
    for (const [t, ms] of s.shots) {
      const second = Math.floor(t);
      bySecond.set(second, [...(bySecond.get(second) ?? []), ms]);
    }
    const last = Math.ceil(Math.max(...s.samples.map((x) => x.t), 0));
    for (let t = 0; t <= last; t += 1) load.push({ t, pool: s.pool, sent: bySecond.get(t)?.length ?? 0 });
    for (const [t, values] of bySecond) latency.push({ t, pool: s.pool, p99: percentile(values, 99) });
    for (const x of s.samples) workers.push({ t: Math.round(x.t * 10) / 10, pool: s.pool, ready: x.ready });
  }
  return { load, latency, workers };
}

/** SVG of the three panels. */
export async function renderAutoscalePlot(series: readonly Series[], context: { rate: number; workMs: number }): Promise<string> {
  const data = rows(series);
  const x = { field: 't', type: 'quantitative', title: 'seconds since the round started' } as const;
  const color = { field: 'pool', type: 'nominal', title: 'pool' } as const;
  const panel = { width: 640, height: 130 };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Step load (${context.rate} req/s of ${context.workMs} ms CPU work): autoscaling 1–2 workers vs a fixed pool of 2`,
    vconcat: [
      { ...panel, data: { values: data.load }, mark: { type: 'line', interpolate: 'step-after' }, encoding: { x, y: { field: 'sent', type: 'quantitative', title: 'requests sent /s' }, color } },
      {
        ...panel,
        data: { values: data.workers },
        mark: { type: 'line', interpolate: 'step-after', point: false },
        encoding: { x, y: { field: 'ready', type: 'quantitative', title: 'serving workers', scale: { domain: [0, 3] }, axis: { tickMinStep: 1 } }, color, strokeDash: color },
      },
      {
        ...panel,
        data: { values: data.latency },
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'p99', type: 'quantitative', title: 'p99 latency (ms, log)', scale: { type: 'log' } }, color },
      },
    ],
    config: { font: 'sans-serif', background: 'white', point: { size: 12 } },
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
