/**
 * One worker each, pinned: every server on CPU 0 and wrk on CPU 1, so a server never shares its
 * core with the load. A finer lens than `npm run bench` for the cost of the gateway's own work on
 * one worker, with the same rotating rounds and paired ratios (bench/lib/rounds.ts).
 *
 *   npm run bench:pinned -- [--rounds 9] [--duration 4] [--post] [--keep-processes] gateway raw-cluster raw-cluster-twin [gateway@/path/to/checkout]
 *
 * Contenders are named as in bench/contenders.ts; the first is the reference. `name@DIR` runs the
 * same contender from another checkout (a `git worktree` with a change under test), so a change
 * can be measured against the tree it came from in one run.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { argv } from 'zx';
import { ensureSystemPackages, findExecutable } from '../scripts/lib/system-packages.ts';
import { CONTENDERS, EXTRA_CONTENDERS, ROOT } from './contenders.ts';
import { freePorts } from './lib/ports.ts';
import { runRounds, type LoadCase, type Target } from './lib/rounds.ts';
import { startServer, type RunningServer } from './lib/server.ts';
import { summarize } from './lib/summary.ts';
import { pairRatios, range } from './lib/stats.ts';
import { WRK } from './lib/wrk.ts';
import { buildDist } from '../scripts/build.ts';

const taskset = findExecutable('taskset');
if (!taskset) {
  console.error('[pinned] needs taskset (util-linux) to pin the servers and wrk to separate CPUs');
  process.exit(2);
}
// wrk is this process's child: pin ourselves to CPU 1 first, by running again under taskset.
if (process.env.BENCH_PINNED !== '1') {
  const again = spawnSync(taskset, ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(again.status ?? 1);
}

const names = argv._.map(String);
if (names.length < 2) {
  console.error('[pinned] name at least two contenders, e.g. gateway raw-cluster raw-cluster-twin');
  process.exit(2);
}
const rounds = Number(argv.rounds ?? 9);
const durationS = Number(argv.duration ?? 4);
const cases: LoadCase[] = argv.post
  ? [{ name: 'POST /echo (JSON)', path: '/echo', method: 'POST', body: JSON.stringify({ user: 'ada', tags: ['a', 'b'], n: 42 }) }]
  : [{ name: 'GET /', path: '/', method: 'GET' }];

await ensureSystemPackages([WRK]);
// The gateway contenders run the compiled build (a `name@DIR` checkout needs its own `npm run build`).
await buildDist();
const started: RunningServer[] = [];
/** Every named server up, pinned to CPU 0; called again before each round (fresh processes). */
async function startLineup(): Promise<Target[]> {
  const targets: Target[] = [];
  for (const label of names) {
    const [name, dir] = label.split('@') as [string, string | undefined];
    const contender = [...CONTENDERS, ...EXTRA_CONTENDERS].find((c) => c.name === name);
    if (!contender) throw new Error(`unknown contender ${name}`);
    const [port, adminPort] = await freePorts(2);
    const spec = contender.spec({ port: port!, adminPort: adminPort! }, 1);
    const root = dir ? resolve(dir) : ROOT;
    const server = await startServer({
      ...spec,
      name: label,
      command: taskset!,
      args: ['-c', '0', spec.command.replace(ROOT, root), ...spec.args.map((a) => a.replace(ROOT, root))],
      logFile: spec.logFile.replace(/\.log$/, `-pinned-${targets.length}.log`),
    });
    started.push(server);
    targets.push({ contender: label, via: 'direct', baseUrl: `http://127.0.0.1:${port}`, pid: server.pid });
  }
  return targets;
}
async function stopAll(): Promise<void> {
  for (const server of started.splice(0).reverse()) await server.stop();
}
try {
  const targets = await startLineup();
  const fresh = argv['keep-processes'] !== true;
  const series = await runRounds(targets, cases, {
    rounds,
    durationS,
    connections: 50,
    warmupS: 2,
    ...(fresh ? { restart: async () => (await stopAll(), startLineup()) } : {}),
  });
  console.log(
    `[pinned] ${rounds} rounds × ${durationS} s, 1 worker each on CPU 0, wrk -c50 on CPU 1, ${fresh ? 'fresh processes every round' : 'the same processes throughout'}; ` +
      `ratios: ${names[0]} ÷ this, median of per-round ratios`,
  );
  const reference = series.find((x) => x.contender === names[0])!;
  for (const row of summarize(series, names[0])) {
    const own = series.find((x) => x.contender === row.contender)!;
    const [low, high] = range(pairRatios(reference.rounds.map((r) => r.rps), own.rounds.map((r) => r.rps)));
    console.log(
      `${row.case.padEnd(18)} ${row.contender.padEnd(32)} ${row.rps.toFixed(0).padStart(7)} req/s  ${row.cpuUsPerRequest.toFixed(1).padStart(6)} µs CPU/req  ` +
        `req/s ratio ${row.gatewayRpsRatio.toFixed(3)} (rounds ${low.toFixed(2)}–${high.toFixed(2)})  CPU ratio ${row.gatewayCpuRatio.toFixed(3)}  errors ${row.errors}`,
    );
  }
} finally {
  await stopAll();
}
