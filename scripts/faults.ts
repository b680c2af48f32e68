/**
 * `npm run faults`: the full fault and bad-input scenarios, the gateway side by side with PM2 and
 * gunicorn where the scenario applies, written to docs/reliability.md (the generated block; the
 * notes around it are kept). Short versions of the same scenarios run in `npm test`
 * (test/faults/). Everything runs on loopback with bounded load, and every process it starts is
 * stopped at the end.
 *
 *   npm run faults -- [--only kill,ws-kill,block,term,reload,recycle,leak,slowloris,apps,input,corpus,config] [--quick] [--dry-run]
 *
 * The raw-request corpus (`corpus`) and the WebSocket case (`ws-kill`) have a block each of their
 * own in the doc, so `--only corpus` or `--only ws-kill` rewrites just that one; the main block is
 * rewritten only when some other scenario ran.
 */
import { resolve } from 'node:path';
import { argv } from 'zx';
import { ROOT } from '../bench/contenders.ts';
import { BAD_CONFIGS, runBadConfig } from '../bench/faults/bad-config.ts';
import { runCorpusOn } from '../bench/faults/corpus-scenarios.ts';
import { corpusFailures, corpusTable } from '../bench/faults/corpus-report.ts';
import { slowloris, staticTraversal, throwAtImport, throwOnRequest, type InputRow } from '../bench/faults/input-scenarios.ts';
import { blockWorker, killWorkers, leakUnderLoad, recycleUnderLoad, reloadUnderLoad, termUnderLoad } from '../bench/faults/pool-scenarios.ts';
import { killWebSocketWorker } from '../bench/faults/websocket-scenarios.ts';
import type { ScenarioResult } from '../bench/faults/result.ts';
import type { TargetKind } from '../bench/faults/targets.ts';
import { GUNICORN } from '../bench/lib/wrk.ts';
import { blockMarkers, writeBlock } from '../bench/lib/doc-block.ts';
import { describeMachine } from '../bench/lib/machine.ts';
import { NGINX, ensureSystemPackages } from './lib/system-packages.ts';

const quick = Boolean(argv.quick);
const only = argv.only ? String(argv.only).split(',') : undefined;
const want = (name: string): boolean => !only || only.includes(name);
const ALL: TargetKind[] = ['gateway', 'pm2', 'gunicorn'];
const s = (full: number, short: number): number => (quick ? short : full);

/** Scenario → per-target runs; a target missing from a row has no such feature (said in the table). */
interface PlanItem {
  key: string;
  rows: { target: TargetKind; run: () => Promise<ScenarioResult> }[];
  lacks?: Partial<Record<TargetKind, string>>;
  /** Written to its own block of the doc (see above) rather than the main table. */
  ownBlock?: 'faults-websocket';
}
const everything: PlanItem[] = [
  { key: 'kill', rows: ALL.map((t) => ({ target: t, run: () => killWorkers(t, s(30, 8), 2) })) },
  {
    key: 'ws-kill',
    rows: (['gateway', 'pm2'] as const).map((t) => ({ target: t, run: () => killWebSocketWorker(t, s(200, 60), s(15, 6)) })),
    lacks: { gunicorn: 'sync workers cannot hold WebSockets' },
    ownBlock: 'faults-websocket',
  },
  { key: 'block', rows: ALL.map((t) => ({ target: t, run: () => blockWorker(t, 3, 10) })) },
  { key: 'term', rows: ALL.map((t) => ({ target: t, run: () => termUnderLoad(t, 10) })) },
  {
    key: 'term-readiness',
    rows: [{ target: 'gateway' as const, run: () => termUnderLoad('gateway', 10, { readinessFirst: true }) }],
    lacks: { pm2: 'no readiness endpoint', gunicorn: 'no readiness endpoint' },
  },
  { key: 'reload', rows: ALL.map((t) => ({ target: t, run: () => reloadUnderLoad(t, s(20, 6)) })) },
  {
    key: 'recycle',
    rows: (['gateway', 'gunicorn'] as const).map((t) => ({ target: t, run: () => recycleUnderLoad(t, s(1000, 200), s(60, 6)) })),
    lacks: { pm2: 'no request-count recycling in PM2' },
  },
  {
    key: 'leak',
    rows: [{ target: 'gateway', run: () => leakUnderLoad('gateway', 200, s(30, 8)) }],
    lacks: { pm2: 'max_memory_restart is polled every 30 s (not run here)', gunicorn: 'no memory ceiling in gunicorn' },
  },
  { key: 'slowloris', rows: ALL.map((t) => ({ target: t, run: () => slowloris(t, s(300, 100), s(15, 8), 5) })) },
  { key: 'apps', rows: [{ target: 'gateway', run: throwAtImport }, { target: 'gateway', run: () => throwOnRequest(500) }] },
];
const plan = everything.filter((p) => want(p.key));

console.log(`[faults] plan: ${plan.map((p) => `${p.key} (${p.rows.map((r) => r.target).join(', ')})`).join('; ')}` +
  `${want('input') ? '; static traversal' : ''}${want('corpus') ? '; raw-request corpus (gateway, nginx, gunicorn)' : ''}${want('config') ? `; ${BAD_CONFIGS.length} bad configs` : ''}${quick ? ' — quick' : ''}`);
if (argv['dry-run']) process.exit(0);
await ensureSystemPackages([NGINX, GUNICORN]);

const results: (ScenarioResult & { key: string; ownBlock?: string })[] = [];
const lacks: Record<string, Partial<Record<TargetKind, string>>> = {};
for (const item of plan) {
  if (item.lacks) lacks[item.key] = item.lacks;
  for (const row of item.rows) {
    try {
      const r = await row.run();
      results.push({ ...r, key: item.key, ownBlock: item.ownBlock });
      console.log(`[faults] ${r.passed ? 'pass' : 'FAIL'} ${r.target}: ${r.scenario}: ${r.summary}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.push({ key: item.key, ownBlock: item.ownBlock, scenario: item.key, target: row.target, passed: false, summary: `could not run: ${message}` });
      console.log(`[faults] FAIL ${row.target}: ${item.key}: could not run: ${message}`);
    }
  }
}

const traversal: InputRow[] = want('input') ? await staticTraversal() : [];
const corpus = want('corpus') ? await runCorpusOn(['gateway', 'nginx', 'gunicorn']) : undefined;
const configs = want('config') ? await Promise.all(BAD_CONFIGS.map((b, i) => runBadConfig(b, i).then((r) => ({ b, ...r })))) : [];

const cell = (r: ScenarioResult | undefined, missing?: string): string =>
  r ? `${r.passed ? '✅' : '❌'} ${r.summary}` : missing ? `— ${missing}` : '—';
const scenarioRows = (of: typeof results) => [...new Set(of.map((r) => `${r.key}|${r.scenario}`))].map((id) => {
  const [key, scenario] = id.split('|') as [string, string];
  const on = (t: TargetKind): ScenarioResult | undefined => of.find((r) => r.key === key && r.scenario === scenario && r.target === t);
  return `| ${scenario} | ${cell(on('gateway'))} | ${cell(on('pm2'), lacks[key]?.pm2)} | ${cell(on('gunicorn'), lacks[key]?.gunicorn)} |`;
});
const table = ['| scenario | gateway | PM2 | gunicorn (sync) |', '|---|---|---|---|'];
const m = describeMachine();
const runLine = `Run on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} with \`npm run faults -- ${process.argv.slice(2).join(' ')}\` on ${m.cpus} CPUs (${m.cpuModel}), ` +
  `Linux ${m.kernel}, Node ${m.node}, nginx ${m.nginx}, ${m.gunicorn}, PM2 7.0.4 (pm2-runtime, cluster mode).`;
const mainResults = results.filter((r) => !r.ownBlock);
const webSocketResults = results.filter((r) => r.ownBlock === 'faults-websocket');
const lines = [
  `${runLine} 2 workers everywhere; load on loopback from Node clients with keep-alive unless said otherwise.`,
  '',
  '### Scenarios, side by side',
  '',
  ...table,
  ...scenarioRows(mainResults),
];
if (traversal.length > 0) {
  lines.push('', '### Static path traversal through nginx', '', '| path | answer |', '|---|---|');
  for (const t of traversal) lines.push(`| \`${t.name}\` | ${t.got === 200 ? '❌ 200' : `✅ ${t.got}`} |`);
}
if (configs.length > 0) {
  lines.push('', '### Bad configuration (`gateway --check-config bench/peers/hello-app.ts …`)', '', '| given | exit | message (must contain) | ok |', '|---|---:|---|---|');
  for (const c of configs) {
    const given = [...c.b.args, ...Object.entries(c.b.env ?? {}).map(([k, v]) => `${k}=${v}`), c.b.configFile ? `config: \`${c.b.configFile.trim()}\`` : ''].join(' ').trim();
    const ok = c.exitCode === 2 && c.output.includes(c.b.message);
    lines.push(`| ${given.replaceAll('|', '\\|')} | ${c.exitCode} | ${c.b.message.replaceAll('|', '\\|')} | ${ok ? '✅' : '❌'} |`);
  }
}
const { begin, end } = blockMarkers('faults');
const skeleton =
  '# Reliability\n\nFault and bad-input scenarios against the gateway, PM2 and gunicorn. Regenerate with `npm run faults`;\n' +
  `the short versions run in \`npm test\` (test/faults/).\n\n${begin}\n${end}\n\n## Notes\n`;
const file = resolve(ROOT, 'docs', 'reliability.md');
if (mainResults.length > 0 || traversal.length > 0 || configs.length > 0) writeBlock(file, 'faults', lines.join('\n'), skeleton);
if (webSocketResults.length > 0) {
  const head = `${runLine} 2 workers, each client echoing every 20 ms and reconnecting at once when its socket closes (bench/faults/websocket-scenarios.ts).`;
  writeBlock(file, 'faults-websocket', [head, '', ...table, ...scenarioRows(webSocketResults)].join('\n'), skeleton);
}
if (corpus) {
  const head = `Run on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} with \`npm run faults -- ${process.argv.slice(2).join(' ')}\`: Node ${m.node}, nginx ${m.nginx}, ${m.gunicorn}.`;
  writeBlock(file, 'http-corpus', [head, '', ...corpusTable(corpus)].join('\n'), skeleton);
  for (const id of corpusFailures(corpus)) console.log(`[faults] FAIL corpus: ${id}`);
}
const gatewayFailed = results.filter((r) => r.target === 'gateway' && !r.passed).length + (corpus ? corpusFailures(corpus).length : 0);
const gatewayRan = results.filter((r) => r.target === 'gateway').length + (corpus?.cases.length ?? 0);
console.log(`[faults] wrote ${file}; gateway: ${gatewayRan - gatewayFailed} passed, ${gatewayFailed} failed`);
process.exit(gatewayFailed > 0 ? 1 : 0);
