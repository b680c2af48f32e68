/**
 * Where a gateway process's memory goes at boot, module by module: a fresh Node imports the
 * master's or the worker's modules one step at a time, in the order they load, and reports
 * `process.memoryUsage()` after a full GC at each step. Each row is what that step adds on top of
 * the ones above it (shared dependencies count where they first load). The last rows are the real
 * thing: a running gateway's master and workers, idle after one request, read from /proc.
 *
 *   npm run bench:boot-memory -- [--built] [--workers 2] [--app bench/peers/hello-listener.ts] [--load 5] [--write-infra]
 *
 * `--built` measures the compiled output in dist/ (`npm run build`) instead of the TypeScript
 * sources, which Node type-strips at run time. After the idle reading the running gateway takes
 * `--load` seconds of wrk (64 connections, GET /) and its master and largest worker are read again.
 * `--write-infra` stores those figures in infra/memory-footprint.json, from which the Docker and
 * Kubernetes targets size the gateway's memory (infra/memory-budget.ts); refresh it with
 * `npm run bench:boot-memory -- --built --app dist/app/server.js --write-infra`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { argv } from 'zx';
import { ROOT, RUN_DIR, NODE, gateway } from './contenders.ts';
import { freePorts } from './lib/ports.ts';
import { childrenOf, rssOf } from './lib/proc-tree.ts';
import { startServer } from './lib/server.ts';
import { runLoad } from './lib/wrk.ts';
import { buildDist } from '../scripts/build.ts';
import type { MemoryFootprint } from '../infra/memory-budget.ts';

const built = argv.built === true;
const workers = Number(argv.workers ?? 2);
const loadSeconds = Number(argv.load ?? 5);
if (built) await buildDist();
const MiB = 2 ** 20;
const src = (path: string): string => {
  const file = built ? resolve(ROOT, 'dist', path.replace(/\.ts$/, '.js')) : resolve(ROOT, path);
  if (!existsSync(file)) throw new Error(`${file} is missing${built ? ': run npm run build first' : ''}`);
  return file;
};

/** A TypeScript file with a type in it: importing it loads Node's type stripper, and nothing else. */
function strippingStep(): [string, string][] {
  if (built) return [];
  mkdirSync(RUN_DIR, { recursive: true });
  const file = resolve(RUN_DIR, 'typed.ts');
  writeFileSync(file, 'export const typed: number = 1;\n');
  return [['type stripping (the first .ts file)', file]];
}

const APP = String(argv.app ?? 'bench/peers/hello-listener.ts');
const ROLES: Record<'master' | 'worker', [string, string][]> = {
  master: [
    ...strippingStep(),
    ['node:http', 'node:http'],
    ['node:cluster', 'node:cluster'],
    ['pino', 'pino'],
    ['zod', 'zod'],
    ['gateway/settings/load (the settings registry)', src('gateway/settings/load.ts')],
    ['gateway/master/run (arbiter, admin listener)', src('gateway/master/run.ts')],
    ['gateway/defaults (autoscaler, metrics, status page)', src('gateway/defaults.ts')],
  ],
  worker: [
    ...strippingStep(),
    ['node:http', 'node:http'],
    ['pino', 'pino'],
    ['gateway/interface (request listener, app loading)', src('gateway/interface/index.ts')],
    ['gateway/worker/worker (lifecycle, heartbeat, drain)', src('gateway/worker/worker.ts')],
    // The app is the user's: as given, in both modes.
    [`the app (${APP})`, resolve(ROOT, APP)],
  ],
};

interface Step {
  what: string;
  rss: number;
  heapUsed: number;
}

/** Imports `steps` in a fresh Node (plain JavaScript, so the probe itself strips no types). */
function probe(steps: [string, string][]): Step[] {
  const code = `
    const steps = ${JSON.stringify(steps)};
    const out = [];
    const take = (what) => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); out.push({ what, rss: m.rss, heapUsed: m.heapUsed }); };
    take('node, nothing imported');
    for (const [what, spec] of steps) { await import(spec.startsWith('/') ? 'file://' + spec : spec); take(what); }
    console.log(JSON.stringify(out));`;
  const text = execFileSync(NODE, ['--expose-gc', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(text) as Step[];
}

const mib = (bytes: number): string => (bytes / MiB).toFixed(1);
const round1 = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10;
const signed = (bytes: number): string => `${bytes >= 0 ? '+' : ''}${mib(bytes)}`;

for (const role of ['master', 'worker'] as const) {
  const steps = probe(ROLES[role]);
  console.log(`\n${role} (${built ? 'compiled dist/' : 'TypeScript sources'}): | step | RSS MiB | + RSS | + JS heap |`);
  console.log('|---|---:|---:|---:|');
  steps.forEach((s, i) => {
    const before = steps[i - 1];
    console.log(`| ${s.what} | ${mib(s.rss)} | ${before ? signed(s.rss - before.rss) : ''} | ${before ? signed(s.heapUsed - before.heapUsed) : ''} |`);
  });
}

// The real thing: the gateway as the benchmark starts it, idle after one request.
const [port, adminPort] = await freePorts(2);
const cli = built ? 'dist/gateway/cli.js' : 'gateway/cli.ts';
const spec = gateway('gateway', APP, []).spec({ port: port!, adminPort: adminPort! }, workers);
spec.args[0] = resolve(ROOT, cli);
const server = await startServer(spec);
try {
  await new Promise((r) => setTimeout(r, 1500));
  await (await fetch(`http://127.0.0.1:${port}/`)).text();
  await new Promise((r) => setTimeout(r, 500));
  const pool = childrenOf(server.pid);
  console.log(`\nrunning: node ${cli} ${APP} --workers ${workers}, idle after one request (VmRSS)`);
  console.log(`| process | RSS MiB |\n|---|---:|\n| master | ${mib(rssOf(server.pid))} |`);
  for (const [i, pid] of pool.entries()) console.log(`| worker ${i + 1} | ${mib(rssOf(pid))} |`);
  console.log(`| tree | ${mib([server.pid, ...pool].reduce((sum, pid) => sum + rssOf(pid), 0))} |`);
  const idle = { master: rssOf(server.pid), worker: Math.max(...pool.map(rssOf)) };
  const loaded = await runLoad({ url: `http://127.0.0.1:${port}/`, connections: 64, durationS: loadSeconds }, server.pid);
  const load = loaded.rssLoad!;
  console.log(`\nunder ${loadSeconds} s of wrk -c64 GET / (${loaded.rps.toFixed(0)} req/s; median of samples every 250 ms):`);
  console.log(`| process | RSS MiB |\n|---|---:|\n| master | ${mib(load.master)} |\n| largest worker | ${mib(load.worker)} |\n| tree | ${mib(load.tree)} |`);
  if (argv['write-infra']) {
    const footprint: MemoryFootprint = {
      measured: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      command: `npm run bench:boot-memory -- ${process.argv.slice(2).join(' ')}`,
      app: APP,
      masterMiB: { idle: round1(idle.master), load: round1(load.master) },
      workerMiB: { idle: round1(idle.worker), load: round1(load.worker) },
    };
    const file = resolve(ROOT, 'infra', 'memory-footprint.json');
    writeFileSync(file, `${JSON.stringify(footprint, null, 2)}\n`);
    console.log(`\nwrote ${file}`);
  }
} finally {
  await server.stop();
}
