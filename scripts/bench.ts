/**
 * `npm run bench`: the gateway against raw node:cluster, PM2 and gunicorn, each direct and behind
 * the same rendered nginx config, in alternating rounds; writes docs/benchmarks.md and
 * docs/img/bench-*.svg. Then the long-lived phase (bench/long-lived/): WebSocket echo and idle
 * WebSocket memory against the same `ws` handler on a bare node:cluster with an A/A twin, and the
 * first SSE byte through nginx, in a block of its own in docs/benchmarks.md. Everything it starts
 * runs in its own process group and is stopped at the end.
 *
 *   npm run bench -- [--rounds 5] [--duration 6] [--warmup 2] [--connections 64] [--workers 2] [--keep-processes]
 *                    [--only gateway,raw-cluster] [--no-nginx] [--no-post] [--no-stack] [--startup-runs 5] [--dry-run] [--render-only]
 *                    [--no-long-lived | --long-lived-only] [--ws-clients 32] [--ws-idle 10000] [--sse-requests 300]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { argv } from 'zx';
import { CONTENDERS, EXTRA_CONTENDERS, GATEWAY_SOURCES, ROOT, RUN_DIR } from '../bench/contenders.ts';
import { describeMachine } from '../bench/lib/machine.ts';
import { startNginxFront } from '../bench/lib/nginx.ts';
import { freePorts } from '../bench/lib/ports.ts';
import { runRounds, type LoadCase, type Target } from '../bench/lib/rounds.ts';
import { startServer, type RunningServer } from '../bench/lib/server.ts';
import { checkMemory, checkTargets, memoryRows, noiseFloor, summarize } from '../bench/lib/summary.ts';
import { GUNICORN, WRK } from '../bench/lib/wrk.ts';
import { benchLongLived } from '../bench/long-lived/phase.ts';
import { measureStackStartups, measureStartups } from '../bench/startup.ts';
import { writeReport, type BenchReport } from '../bench/report.ts';
import { NGINX, ensureSystemPackages } from './lib/system-packages.ts';
import { buildDist } from './build.ts';

function fail(message: string): never {
  console.error(`[bench] ${message}`);
  process.exit(2);
}
const num = (value: unknown, fallback: number): number => (value === undefined ? fallback : Number(value));
const settings = {
  rounds: num(argv.rounds, 5),
  durationS: num(argv.duration, 6),
  warmupS: num(argv.warmup, 2),
  connections: num(argv.connections, 64),
  workers: num(argv.workers, 2),
  freshProcesses: argv['keep-processes'] !== true,
};
const longLivedOnly = argv['long-lived-only'] === true;
const longLived = longLivedOnly || argv['long-lived'] !== false;
const longLivedSettings = {
  rounds: settings.rounds,
  durationS: settings.durationS,
  warmupS: Math.min(settings.warmupS, 1),
  clients: num(argv['ws-clients'], 32),
  workers: settings.workers,
  idle: num(argv['ws-idle'], 10_000),
  sseRequests: num(argv['sse-requests'], 300),
};
const command = process.argv.length > 2 ? `npm run bench -- ${process.argv.slice(2).join(' ')}` : 'npm run bench';
const only = argv.only ? String(argv.only).split(',') : undefined;
const withNginx = argv.nginx !== false;
const contenders = only
  ? only.map((name) => [...CONTENDERS, ...EXTRA_CONTENDERS].find((c) => c.name === name) ?? fail(`unknown contender ${name}`))
  : CONTENDERS;
const reference = contenders[0]?.name ?? 'gateway';
const cases: LoadCase[] = [
  { name: 'GET /', path: '/', method: 'GET' },
  ...(argv.post === false
    ? []
    : [{ name: 'POST /echo (JSON)', path: '/echo', method: 'POST' as const, body: JSON.stringify({ user: 'ada', tags: ['a', 'b'], n: 42 }) }]),
];

const perRun = settings.durationS + 0.3;
const targetsCount = contenders.length * (withNginx ? 2 : 1);
const warmups = settings.freshProcesses ? settings.rounds : 1;
const estimateS = targetsCount * cases.length * (settings.rounds * perRun + warmups * settings.warmupS);
const l = longLivedSettings;
const longLivedPlan = `long-lived: gateway vs bare node:cluster vs its A/A twin, ${l.rounds} rounds, echo ${l.clients} clients × ${l.durationS} s on ` +
  `${l.workers} workers, ${l.idle.toLocaleString('en')} idle WebSockets on 1 worker, ${l.sseRequests} SSE first bytes direct and through nginx`;
if (longLivedOnly) console.log(`[bench] plan: ${longLivedPlan}`);
else {
  console.log(
    `[bench] plan: ${contenders.map((c) => c.name).join(', ')}; ${withNginx ? 'direct and behind nginx' : 'direct only'}; ` +
      `${cases.map((c) => c.name).join(', ')}; ${settings.rounds} rounds × ${settings.durationS} s, ${settings.connections} connections, ` +
      `${settings.workers} workers; about ${Math.ceil(estimateS / 60)} min of load; reference: ${reference}${longLived ? `; then ${longLivedPlan}` : ''}`,
  );
}
if (argv['dry-run']) process.exit(0);
if (argv['render-only']) {
  // Re-render the doc and plots from the last run's raw results (after a change to the report).
  const last = JSON.parse(readFileSync(resolve(RUN_DIR, 'results.json'), 'utf8')) as BenchReport;
  const ref = last.contenders[0]?.name ?? 'gateway';
  const rows = summarize(last.series, ref);
  const checks = [...checkTargets(last.series, ref), ...checkMemory(last.series, ref)];
  const report = { ...last, rows, checks, control: noiseFloor(last.series), memory: memoryRows(last.series) };
  console.log(`[bench] re-rendered ${await writeReport(report, resolve(ROOT, 'docs'))}`);
  process.exit(0);
}
if (settings.rounds < 1 || settings.durationS < 1 || contenders.length === 0) {
  console.error('[bench] need at least one round, one second and one contender');
  process.exit(2);
}

await ensureSystemPackages([NGINX, WRK, ...(contenders.some((c) => c.name === 'gunicorn') ? [GUNICORN] : [])]);
// The gateway contenders run the compiled build, as npm start and the images do.
await buildDist();
mkdirSync(RUN_DIR, { recursive: true });
if (longLivedOnly) {
  await benchLongLived(longLivedSettings, command, resolve(ROOT, 'docs'));
  process.exit(0);
}
const machine = describeMachine();
const started: RunningServer[] = [];
let failed = false;
try {
  /** Every contender (and its nginx front) up at once; called again before each round. */
  const startLineup = async (): Promise<Target[]> => {
    const targets: Target[] = [];
    for (const contender of contenders) {
      const [port, adminPort] = await freePorts(2);
      const server = await startServer(contender.spec({ port: port!, adminPort: adminPort! }, settings.workers));
      started.push(server);
      console.log(`[bench] ${contender.name} up on :${port} in ${server.startupMs.toFixed(0)} ms (pid ${server.pid})`);
      const socket = contender.socket?.({ port: port!, adminPort: adminPort! });
      if (socket === undefined) targets.push({ contender: contender.name, via: 'direct', baseUrl: `http://127.0.0.1:${port}`, pid: server.pid });
      if (withNginx) {
        const front = await startNginxFront(contender.name, socket === undefined ? port! : { socket }, RUN_DIR);
        started.push(front.server);
        targets.push({ contender: contender.name, via: 'nginx', baseUrl: `http://127.0.0.1:${front.port}`, pid: server.pid });
      }
    }
    // Let every pool settle (PM2 and the gateway fork asynchronously) before idle RSS is read.
    await new Promise((r) => setTimeout(r, 1500));
    return targets;
  };
  const stopAll = async (): Promise<void> => {
    for (const server of started.splice(0).reverse()) await server.stop();
  };
  const targets = await startLineup();
  const series = await runRounds(targets, cases, {
    ...settings,
    // Fresh processes every round, unless asked to keep them (see bench/lib/rounds.ts for why).
    ...(settings.freshProcesses ? { restart: async () => (await stopAll(), startLineup()) } : {}),
    onResult: (t, c, round, r) =>
      console.log(
        `[bench] round ${round} ${c.name} ${t.contender}/${t.via}: ${r.rps.toFixed(0)} req/s, ` +
          `p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.errors} errors`,
      ),
  });
  await stopAll();
  const startupRuns = num(argv['startup-runs'], 5);
  // The gateway from its TypeScript sources too: what the compiled build saves at start-up.
  const startup = await measureStartups(startupRuns, settings.workers, [...contenders, ...(contenders.some((c) => c.name === 'gateway') ? [GATEWAY_SOURCES] : [])]);
  if (argv.stack !== false && startupRuns > 0) startup.unshift(await measureStackStartups(startupRuns, settings.workers));
  const rows = summarize(series, reference);
  const report = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command,
    machine,
    settings,
    contenders: contenders.map((c) => ({ name: c.name, describe: c.describe })),
    rows,
    checks: [...checkTargets(series, reference), ...checkMemory(series, reference)],
    control: noiseFloor(series),
    startup,
    memory: memoryRows(series),
    series,
  };
  writeFileSync(resolve(RUN_DIR, 'results.json'), JSON.stringify(report, null, 2));
  const file = await writeReport(report, resolve(ROOT, 'docs'));
  console.log(`[bench] wrote ${file} and docs/img/bench-*.svg (raw: ${resolve(RUN_DIR, 'results.json')})`);
  for (const check of report.checks) console.log(`[bench] ${check.met ? 'met ' : 'MISS'} ${check.what} ${check.goal}: ${check.value.toFixed(2)}`);
  for (const c of report.control) console.log(`[bench] A/A  ${c.what}: ${c.value.toFixed(2)} (rounds ${c.spread[0].toFixed(2)}–${c.spread[1].toFixed(2)})`);
  if (longLived) await benchLongLived(longLivedSettings, command, resolve(ROOT, 'docs'));
} catch (error) {
  failed = true;
  console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  for (const server of started.reverse()) await server.stop();
}
if (!existsSync(resolve(ROOT, 'docs', 'benchmarks.md'))) failed = true;
process.exit(failed ? 1 : 0);
