/**
 * The long-lived benchmark's block in docs/benchmarks.md (`bench-long-lived`, between its markers;
 * the notes around it are kept): settings, the figures with the A/A control beside each ratio, the
 * goals, and every round.
 */
import { resolve } from 'node:path';
import { blockMarkers, writeBlock } from '../lib/doc-block.ts';
import type { Machine } from '../lib/machine.ts';
import { DESCRIBE, SIDES } from './measure.ts';
import type { LongLivedFigure, LongLivedRound, LongLivedSettings } from './run.ts';

export interface LongLivedReport {
  date: string;
  command: string;
  machine: Machine;
  settings: LongLivedSettings;
  figures: LongLivedFigure[];
  rounds: LongLivedRound[];
}

const f = (n: number, digits: number): string => (Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');
const digitsOf = (what: string): number => (what.includes('(ms)') ? 3 : what.includes('µs') ? 1 : 0);

export function renderLongLived(report: LongLivedReport): string {
  const { machine: m, settings: s } = report;
  const rows = report.figures.map((x) => {
    const d = digitsOf(x.what);
    const sse = x.control === undefined;
    const values = sse ? `direct ${f(x.values.direct!, 3)} / nginx ${f(x.values.nginx!, 3)}` : SIDES.map((side) => f(x.values[side]!, d)).join(' / ');
    const gateway = `${f(x.gateway.value, sse ? 3 : 2)} (${f(x.gateway.spread[0], sse ? 3 : 2)}–${f(x.gateway.spread[1], sse ? 3 : 2)})`;
    const control = x.control ? `${f(x.control.value, 2)} (${f(x.control.spread[0], 2)}–${f(x.control.spread[1], 2)})` : '–';
    const goal = x.goal ? `${x.goal.text}: ${x.goal.met ? 'met' : '**not met**'}` : '–';
    return `| ${x.what} | ${values} | ${gateway} | ${control} | ${goal} |`;
  });
  const roundRows = report.rounds.map((r, k) =>
    `| ${k + 1} | ${r.order.join(', ')} | ${SIDES.map((side) => f(r.echo[side].perSecond, 0)).join(' / ')} | ` +
      `${SIDES.map((side) => f(r.idleRssB[side], 0)).join(' / ')} | ${f(r.sseFirstByteMs.direct, 3)} / ${f(r.sseFirstByteMs.nginx, 3)} |`);
  return [
    `Run on ${report.date} with:`,
    '',
    '```sh',
    report.command,
    '```',
    '',
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}, Node ${m.node}, nginx ${m.nginx}. ` +
      `Load average at the start: ${m.loadAverage}.`,
    '',
    `Settings: ${s.rounds} rounds, the order of the three sides rotating each round, fresh processes for every measure. Echo: ` +
      `${s.workers} workers, ${s.clients} \`ws\` clients in this process, each sending 23 bytes as soon as its echo came, ` +
      `${s.warmupS} s unrecorded then ${s.durationS} s. Idle: ${s.idle.toLocaleString('en')} WebSockets opened on a 1-worker server, ` +
      "that worker's VmRSS growth divided by the count, read 2 s after the last opened. SSE: the gateway's 1-worker server, " +
      `${s.sseRequests} event streams on fresh connections direct and ${s.sseRequests} through the rendered nginx, alternating, median ` +
      'time to the first byte each. Ratios are medians of per-round ratios to `bare` (per-round min–max in brackets); ' +
      'the A/A column is `bare-twin` ÷ `bare`, two identical servers: its distance from 1.00 is what this machine alone does to a ratio.',
    '',
    '| side | what runs |',
    '|---|---|',
    ...SIDES.map((side) => `| ${side} | \`${DESCRIBE[side]}\` |`),
    '',
    '| measure | gateway / bare / bare-twin (medians) | gateway ÷ bare | A/A: bare-twin ÷ bare | goal |',
    '|---|---:|---:|---:|---|',
    ...rows,
    '',
    '<details><summary>Every round</summary>',
    '',
    '| round | order | echo/s gateway / bare / twin | idle B/socket gateway / bare / twin | SSE first byte ms direct / nginx |',
    '|---:|---|---:|---:|---:|',
    ...roundRows,
    '',
    '</details>',
  ].join('\n');
}

/** Rewrites the `bench-long-lived` block of docs/benchmarks.md (appended when missing). */
export function writeLongLived(report: LongLivedReport, docsDir: string): string {
  const file = resolve(docsDir, 'benchmarks.md');
  const { begin, end } = blockMarkers('bench-long-lived');
  writeBlock(file, 'bench-long-lived', renderLongLived(report), `# Benchmarks\n\n${begin}\n${end}\n`);
  return file;
}
