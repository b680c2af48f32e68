/**
 * SVG plots of the benchmark with vega-lite (compiled to a vega spec, rendered headless in Node
 * with `view.toSVG()`): no browser, no canvas, the same file on every machine.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** One bar: a contender reached one way, under one case. */
export interface Bar {
  contender: string;
  via: string;
  case: string;
  value: number;
}

/** Render a grouped bar chart (contenders on x, direct/nginx side by side, one panel per case). */
export async function barChart(bars: Bar[], title: string, axisTitle: string): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: bars },
    facet: { column: { field: 'case', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 220,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'contender', type: 'nominal', title: null, sort: null, axis: { labelAngle: -30 } },
        xOffset: { field: 'via', type: 'nominal' },
        y: { field: 'value', type: 'quantitative', title: axisTitle },
        color: { field: 'via', type: 'nominal', title: 'reached' },
      },
    },
    config: { font: 'sans-serif', background: 'white' },
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
