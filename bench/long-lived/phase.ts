/** `npm run bench`'s long-lived phase: run the rounds, keep the raw results, write the doc block, print the figures. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RUN_DIR } from '../contenders.ts';
import { describeMachine } from '../lib/machine.ts';
import { writeLongLived } from './report.ts';
import { runLongLived, summarizeLongLived, type LongLivedSettings } from './run.ts';

export async function benchLongLived(settings: LongLivedSettings, command: string, docsDir: string): Promise<void> {
  const machine = describeMachine();
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const rounds = await runLongLived(settings, (line) => console.log(`[bench] long-lived ${line}`));
  const figures = summarizeLongLived(rounds);
  const report = { date, command, machine, settings, figures, rounds };
  mkdirSync(resolve(RUN_DIR, 'long-lived'), { recursive: true });
  writeFileSync(resolve(RUN_DIR, 'long-lived', 'results.json'), JSON.stringify(report, null, 2));
  console.log(`[bench] wrote ${writeLongLived(report, docsDir)} (raw: ${resolve(RUN_DIR, 'long-lived', 'results.json')})`);
  for (const x of figures) {
    const control = x.control ? `; A/A ${x.control.value.toFixed(2)} (${x.control.spread[0].toFixed(2)}–${x.control.spread[1].toFixed(2)})` : '';
    const goal = x.goal ? ` — goal ${x.goal.text}: ${x.goal.met ? 'met' : 'NOT met'}` : '';
    console.log(`[bench] long-lived ${x.what}: gateway ${x.gateway.value.toFixed(3)} (${x.gateway.spread[0].toFixed(3)}–${x.gateway.spread[1].toFixed(3)})${control}${goal}`);
  }
}
