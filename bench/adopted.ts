/**
 * Adopted apps (docs/your-own-app.md): an unmodified app that calls listen() itself, under the
 * gateway, against the same file on a bare `node:cluster` where each worker's listen() really binds
 * (bench/peers/own-listen-cluster.ts), plus a second bare cluster as the A/A control. Same worker
 * count, rotating rounds, fresh processes every round (bench/lib/rounds.ts).
 *
 *   npm run bench:adopted -- [--rounds 5] [--duration 5] [--workers 2]
 *
 * Apps: the Fastify fixture (GET /api/hello) and the SvelteKit build (GET /api/hello), both from
 * run/frameworks (installed and built by the framework suites or here).
 */
import { argv } from 'zx';
import { ensureSystemPackages } from '../scripts/lib/system-packages.ts';
import { buildDist } from '../scripts/build.ts';
import { installFixture } from './lib/framework-fixtures.ts';
import { gateway, NODE, ROOT, RUN_DIR, type Contender } from './contenders.ts';
import { freePorts } from './lib/ports.ts';
import { runRounds, type Target } from './lib/rounds.ts';
import { startServer, type RunningServer } from './lib/server.ts';
import { pairRatios, range } from './lib/stats.ts';
import { summarize } from './lib/summary.ts';
import { WRK } from './lib/wrk.ts';
import { resolve } from 'node:path';

const rounds = Number(argv.rounds ?? 5);
const durationS = Number(argv.duration ?? 5);
const workers = Number(argv.workers ?? 2);

function ownListenCluster(name: string, appFile: string): Contender {
  return {
    name,
    describe: `node:cluster, each worker imports ${appFile} (its own listen())`,
    spec: ({ port }, count) => ({
      name,
      command: NODE,
      args: [resolve(ROOT, 'bench/peers/own-listen-cluster.ts')],
      env: { PORT: String(port), HOST: '127.0.0.1', WORKERS: String(count), APP_FILE: appFile },
      readyUrl: `http://127.0.0.1:${port}/api/hello`,
      logFile: resolve(RUN_DIR, 'logs', `${name}.log`),
    }),
  };
}

await ensureSystemPackages([WRK]);
await buildDist();
const apps = [
  { app: 'fastify', file: `${(await installFixture('listeners')).dir}/fastify.js` },
  { app: 'sveltekit', file: `${(await installFixture('sveltekit', ['npm', 'run', 'build'])).dir}/build/index.js` },
];

for (const { app, file } of apps) {
  const lineup = [
    gateway(`gateway-${app}`, file),
    ownListenCluster(`cluster-${app}`, file),
    ownListenCluster(`cluster-${app}-twin`, file),
  ];
  const started: RunningServer[] = [];
  const stopAll = async () => {
    for (const server of started.splice(0).reverse()) await server.stop();
  };
  const startLineup = async (): Promise<Target[]> => {
    const targets: Target[] = [];
    for (const contender of lineup) {
      const [port, adminPort] = await freePorts(2);
      const spec = contender.spec({ port: port!, adminPort: adminPort! }, workers);
      // The gateway's readiness is its admin /readyz; its app may log to stdout as it pleases.
      const server = await startServer({ ...spec, env: { ...spec.env, PORT: String(port) } });
      started.push(server);
      targets.push({ contender: contender.name, via: 'direct', baseUrl: `http://127.0.0.1:${port}`, pid: server.pid });
    }
    return targets;
  };
  try {
    const series = await runRounds(await startLineup(), [{ name: 'GET /api/hello', path: '/api/hello', method: 'GET' }], {
      rounds,
      durationS,
      connections: 50,
      warmupS: 2,
      restart: async () => (await stopAll(), startLineup()),
    });
    const reference = series.find((s) => s.contender === `cluster-${app}`)!;
    console.log(`[adopted] ${app}: ${rounds} rounds × ${durationS} s, ${workers} workers each, wrk -c50; ratio = this ÷ cluster-${app}, median of per-round ratios`);
    for (const row of summarize(series, `cluster-${app}`)) {
      const own = series.find((s) => s.contender === row.contender)!;
      const ratios = pairRatios(own.rounds.map((r) => r.rps), reference.rounds.map((r) => r.rps));
      const sorted = [...ratios].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      const [low, high] = range(ratios);
      console.log(
        `| ${app} | ${row.contender} | ${row.rps.toFixed(0)} | ${median.toFixed(3)} (${low.toFixed(2)}–${high.toFixed(2)}) | ${row.cpuUsPerRequest.toFixed(1)} | ${row.p99Ms.toFixed(1)} | ${row.errors} |`,
      );
    }
  } finally {
    await stopAll();
  }
}
