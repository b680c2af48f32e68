/**
 * `npm run bench:static-servers`: the static tier's two servers in front of the same gateway, on
 * this machine, in alternating rounds with fresh tier processes every round: nginx (event loop,
 * one worker per core) against Apache httpd's event MPM (processes × threads), with a second
 * nginx as the A/A control. Both servers run the config the kit renders from one spec
 * (`renderStaticTierConf`), with the same worker-process count. Per round and tier: req/s and p99
 * for a hashed static file (answered by the tier) and for a proxied GET (answered by the app), and
 * the RSS of the tier's whole process tree at idle and under load. Loopback only, bounded runs.
 *
 *   npm run bench:static-servers -- [--rounds 5] [--duration 5] [--connections 32] [--warmup 1]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { argv } from 'zx';
import { localApacheUser, localNginxUser } from '../infra/local-user.ts';
import { nginxSpec } from '../nginx/spec.ts';
import { findExecutable } from '../scripts/lib/system-packages.ts';
import { renderStaticTierConf, type StaticServer } from '../static-tier/servers.ts';
import { ROOT } from './contenders.ts';
import { freePorts } from './lib/ports.ts';
import { rssShape } from './lib/proc-tree.ts';
import { runRounds, type LoadCase, type Target } from './lib/rounds.ts';
import { startServer, type RunningServer } from './lib/server.ts';
import { staticServersReport, type TierRun } from './static-servers-report.ts';

const num = (value: unknown, fallback: number) => (value === undefined ? fallback : Number(value));
const o = { rounds: num(argv.rounds, 5), durationS: num(argv.duration, 5), connections: num(argv.connections, 32), warmupS: num(argv.warmup, 1) };
const TIERS: { name: string; server: StaticServer }[] = [
  { name: 'nginx', server: 'nginx' },
  { name: 'apache', server: 'apache' },
  { name: 'nginx (A/A twin)', server: 'nginx' },
];
const workerProcesses = Math.max(1, Math.min(availableParallelism(), 4));
const run = mkdtempSync(join(tmpdir(), 'kit-bench-static-'));
// Readable by the user a root-started server drops to (www-data, nobody): a copy of the app's build.
chmodSync(run, 0o755);
execFileSync(process.execPath, [join(ROOT, 'app/build.ts')], { cwd: ROOT, stdio: 'ignore' });
const staticRoot = join(run, 'static');
cpSync(join(ROOT, 'app/dist/static'), staticRoot, { recursive: true });
const manifest = JSON.parse(readFileSync(join(ROOT, 'app/dist/manifest.json'), 'utf8')) as Record<string, string>;
const hashed = Object.values(manifest).find((file) => file.endsWith('.css'))!;

const cases: LoadCase[] = [
  { name: `hashed static file (/static/${hashed})`, path: `/static/${hashed}`, method: 'GET' },
  { name: 'proxied GET (/api/whoami)', path: '/api/whoami', method: 'GET' },
];

const [gatewayPort, adminPort] = await freePorts(2);
const gateway = await startServer({
  name: 'gateway',
  command: process.execPath,
  args: [join(ROOT, 'gateway/cli.ts'), join(ROOT, 'app/server.ts'), '--workers', String(workerProcesses),
    '--bind', `127.0.0.1:${gatewayPort}`, '--admin-bind', `127.0.0.1:${adminPort}`, '--log-level', 'warn'],
  cwd: ROOT,
  readyUrl: `http://127.0.0.1:${adminPort}/readyz`,
  logFile: join(run, 'gateway.log'),
});

/** One tier from the kit's renderer: same spec for both servers but the binary and its flags. */
async function startTier(name: string, server: StaticServer, index: number): Promise<RunningServer & { port: number }> {
  const [port] = await freePorts(1);
  const runDir = join(run, `${server}-${index}-${port}`);
  const spec = nginxSpec({
    listen: { host: '127.0.0.1', port: port! },
    upstream: { servers: [{ host: '127.0.0.1', port: gatewayPort! }] },
    staticRoot,
    paths: { runDir, errorLog: join(runDir, 'error.log'), accessLog: 'off' },
    workerProcesses,
    ...(() => {
      const user = server === 'apache' ? localApacheUser() : localNginxUser();
      return user ? { user } : {};
    })(),
  });
  execFileSync('mkdir', ['-p', runDir]);
  chmodSync(runDir, 0o777);
  const confFile = join(runDir, server === 'apache' ? 'httpd.conf' : 'nginx.conf');
  writeFileSync(confFile, renderStaticTierConf(server, spec));
  const binary = findExecutable(server === 'apache' ? 'apache2' : 'nginx');
  if (!binary) throw new Error(`${server === 'apache' ? 'apache2' : 'nginx'} is not installed (npm test installs both)`);
  const args = server === 'apache' ? ['-f', confFile, '-DFOREGROUND'] : ['-p', runDir, '-c', confFile, '-g', 'daemon off;'];
  const started = await startServer({
    name, command: binary, args, readyUrl: `http://127.0.0.1:${port}${spec.healthPath}`, logFile: join(runDir, 'stdout.log'),
  });
  return Object.assign(started, { port: port! });
}

/** Both cases answer as the kit promises before anything is measured: a fast wrong answer is no result. */
async function checkTier(name: string, base: string): Promise<void> {
  const file = await fetch(base + cases[0]!.path);
  const api = await fetch(base + cases[1]!.path);
  const immutable = file.headers.get('cache-control')?.includes('immutable');
  if (file.status !== 200 || !immutable || api.status !== 200) {
    throw new Error(`${name}: static ${file.status} (cache-control ${file.headers.get('cache-control')}), proxied ${api.status}`);
  }
  await Promise.all([file.text(), api.text()]);
}

const running: RunningServer[] = [];
const idle = new Map<string, number[]>(TIERS.map((t) => [t.name, []]));
async function startTiers(): Promise<Target[]> {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGTERM', 5_000)));
  const targets: Target[] = [];
  for (const [i, tier] of TIERS.entries()) {
    const started = await startTier(tier.name, tier.server, i);
    running.push(started);
    targets.push({ contender: tier.name, via: 'direct', baseUrl: `http://127.0.0.1:${started.port}`, pid: started.pid });
    await checkTier(tier.name, `http://127.0.0.1:${started.port}`);
  }
  // Idle: every process started and settled, before any request of this round.
  await sleep(1_500);
  for (const target of targets) idle.get(target.contender)!.push(rssShape(target.pid).tree);
  return targets;
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const startedAt = new Date();
try {
  const series = await runRounds(await startTiers(), cases, {
    ...o,
    restart: startTiers,
    onResult: (target, loadCase, round, r) =>
      process.stderr.write(`[bench] round ${round} ${target.contender.padEnd(17)} ${loadCase.name.slice(0, 20).padEnd(20)} ${Math.round(r.rps)} req/s p99 ${r.p99Ms.toFixed(1)} ms rss ${(r.rssLoadBytes / 2 ** 20).toFixed(1)} MiB errors ${r.errors}\n`),
  });
  const runs: TierRun[] = series.map((s) => ({ tier: s.contender, case: s.case, rounds: s.rounds, idleRssBytes: idle.get(s.contender)! }));
  const apacheVersion = execFileSync(findExecutable('apache2')!, ['-v'], { encoding: 'utf8' }).split('\n')[0]!.replace('Server version: ', '');
  const nginxVersion = execFileSync('sh', ['-c', 'nginx -v 2>&1'], { encoding: 'utf8' }).trim().replace('nginx version: ', '');
  console.log(staticServersReport(runs, { ...o, workerProcesses, startedAt, load, apacheVersion, nginxVersion, reference: 'nginx', twin: 'nginx (A/A twin)' }));
} finally {
  await Promise.all(running.map((s) => s.stop('SIGTERM', 5_000)));
  await gateway.stop('SIGTERM', 10_000);
  rmSync(run, { recursive: true, force: true });
}
