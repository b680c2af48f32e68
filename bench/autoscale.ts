/**
 * `npm run bench:autoscale`: a step load (idle → saturation → idle) against the real gateway twice in
 * one run, an autoscaling pool (`--min-workers 1 --max-workers 2`) and a fixed pool (`--workers 2`), in
 * alternating rounds. Samples /status every second; writes the results section of docs/autoscaling.md
 * and docs/img/autoscale.svg (load, serving workers and p99 latency over time).
 *
 *   npm run bench:autoscale -- [--rounds 3] [--idle-before 10] [--load 30] [--idle-after 50]
 *                              [--rate 70] [--work-ms 10] [--sockets 64] [--ramp 10] [--no-write]
 *
 * The load is open-loop: a child process schedules requests at a fixed rate and measures each from
 * its scheduled time, so queueing while the pool is too small shows up in the latency (a closed-loop
 * tool that waits for responses would hide it: coordinated omission). Loopback only, bounded in count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { PoolStatus } from '../gateway/protocol.ts';
import { describeMachine } from './lib/machine.ts';
import { freePorts } from './lib/ports.ts';
import { renderAutoscalePlot } from './autoscale-plot.ts';
import { summarizeRounds, renderResults, type Round } from './autoscale-report.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUN_DIR = join(ROOT, 'run', 'bench-autoscale');
const SELF = fileURLToPath(import.meta.url);

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'idle-before': { type: 'string', default: '10' },
    load: { type: 'string', default: '30' },
    'idle-after': { type: 'string', default: '50' },
    rate: { type: 'string', default: '70' },
    'work-ms': { type: 'string', default: '10' },
    sockets: { type: 'string', default: '64' },
    ramp: { type: 'string', default: '10' },
    'no-write': { type: 'boolean', default: false },
    'load-child': { type: 'string' },
  },
});
const settings = {
  rounds: Number(opt.rounds),
  idleBefore: Number(opt['idle-before']),
  load: Number(opt.load),
  idleAfter: Number(opt['idle-after']),
  rate: Number(opt.rate),
  workMs: Number(opt['work-ms']),
  sockets: Number(opt.sockets),
  ramp: Number(opt.ramp),
};

/** A CPU-bound fetch app: each request spins its worker's event loop for `ms`. */
const APP = `export default {
  fetch(request) {
    const ms = Math.min(1000, Number(new URL(request.url).searchParams.get('ms') ?? 5));
    const end = performance.now() + ms;
    let spins = 0;
    while (performance.now() < end) spins += 1;
    return new Response(String(spins));
  },
};
`;

const POOLS = [
  { name: 'autoscale 1–2', args: ['--min-workers', '1', '--max-workers', '2'] },
  { name: 'fixed 2', args: ['--workers', '2'] },
];

// ---- the load child: open-loop requests at a fixed rate, one JSON line of results at the end ----

interface LoadPlan {
  url: string;
  startAt: number;
  rate: number;
  durationS: number;
  sockets: number;
}
/** [scheduled epoch ms, latency ms, status (0 = error)] per request. */
export type Shot = [number, number, number];

async function runLoadChild(plan: LoadPlan): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.sockets });
  const total = Math.round(plan.rate * plan.durationS);
  const shots: Shot[] = [];
  const fire = (scheduled: number) =>
    new Promise<void>((done) => {
      const req = request(plan.url, { agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => (shots.push([scheduled, Date.now() - scheduled, res.statusCode ?? 0]), done()));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => (shots.push([scheduled, Date.now() - scheduled, 0]), done()));
      req.end();
    });
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((finished) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((Date.now() - plan.startAt) * plan.rate) / 1000));
      for (; sent < due; sent += 1) inFlight.push(fire(plan.startAt + (sent * 1000) / plan.rate));
      if (sent >= total) (clearInterval(timer), finished());
    }, 5);
  });
  await Promise.all(inFlight);
  agent.destroy();
  process.stdout.write(`${JSON.stringify(shots)}\n`);
}

// ---- the harness ------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function getJson<T>(url: string): Promise<T> {
  return new Promise((ok, fail) => {
    const req = request(url, { headers: { accept: 'application/json' }, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? ok(JSON.parse(body) as T) : fail(new Error(`HTTP ${res.statusCode} from ${url}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', fail);
    req.end();
  });
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  if ((await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])) === false) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function runRound(pool: (typeof POOLS)[number], round: number, appPath: string): Promise<Round> {
  const [port, adminPort] = await freePorts(2);
  const admin = `http://127.0.0.1:${adminPort}`;
  const log = createWriteStream(join(RUN_DIR, `${pool.name.replace(/\W+/g, '-')}-${round}.log`));
  const gateway = spawn(
    process.execPath,
    [join(ROOT, 'gateway/cli.ts'), appPath, '--bind', `127.0.0.1:${port}`, '--admin-bind', `127.0.0.1:${adminPort}`, '--no-access-log', ...pool.args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  gateway.stdout?.pipe(log);
  gateway.stderr?.pipe(log);
  try {
    const bootDeadline = Date.now() + 30_000;
    for (;;) {
      const status = await getJson<PoolStatus>(`${admin}/status`).catch(() => null);
      if (status && status.workers.filter((w) => w.state === 'ready').length >= status.target) break;
      if (Date.now() > bootDeadline || gateway.exitCode !== null) throw new Error(`${pool.name}: the gateway did not become ready (see ${RUN_DIR})`);
      await sleep(200);
    }
    const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '';
    const t0 = Date.now() + 500;
    const loadStart = t0 + settings.idleBefore * 1000;
    const loadEnd = loadStart + settings.load * 1000;
    const end = loadEnd + settings.idleAfter * 1000;
    const plan: LoadPlan = { url: `http://127.0.0.1:${port}/?ms=${settings.workMs}`, startAt: loadStart, rate: settings.rate, durationS: settings.load, sockets: settings.sockets };
    const child = spawn(process.execPath, [SELF, '--load-child', JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c));
    const childDone = new Promise<void>((r) => child.once('exit', () => r()));

    const samples: Round['samples'] = [];
    while (Date.now() < end) {
      const at = Date.now();
      const status = await getJson<PoolStatus>(`${admin}/status`).catch(() => null);
      if (status) {
        const ready = status.workers.filter((w) => w.state === 'ready');
        const elu = ready.length ? ready.reduce((s, w) => s + w.elu, 0) / ready.length : 0;
        samples.push({ t: (at - t0) / 1000, target: status.target, ready: ready.length, elu });
      }
      await sleep(Math.max(0, 1000 - (Date.now() - at)));
    }
    await Promise.race([childDone, sleep(15_000)]);
    await stopProcess(child, 'SIGKILL', 0);
    const shots = JSON.parse(out || '[]') as Shot[];
    const rel = (ms: number) => (ms - t0) / 1000;
    return { pool: pool.name, round, loadAverage, samples, shots: shots.map(([s, l, c]) => [rel(s), l, c]), loadStart: rel(loadStart), loadEnd: rel(loadEnd) };
  } finally {
    await stopProcess(gateway, 'SIGTERM', 40_000);
    log.end();
  }
}

async function main(): Promise<void> {
  if (opt['load-child']) return runLoadChild(JSON.parse(opt['load-child']) as LoadPlan);
  mkdirSync(RUN_DIR, { recursive: true });
  const appPath = join(RUN_DIR, 'cpu-app.mjs');
  writeFileSync(appPath, APP);
  const machine = describeMachine();
  console.error(`[bench:autoscale] ${JSON.stringify(settings)} on ${machine.cpus} CPUs, load average ${machine.loadAverage}`);
  const rounds: Round[] = [];
  for (let round = 1; round <= settings.rounds; round += 1) {
    // Alternate the order so neither pool always runs first on a warmer (or busier) machine.
    for (const pool of round % 2 === 1 ? POOLS : [...POOLS].reverse()) {
      console.error(`[bench:autoscale] round ${round}: ${pool.name}`);
      const result = await runRound(pool, round, appPath);
      rounds.push(result);
      console.error(`[bench:autoscale]   ${JSON.stringify(summarizeRounds([result], settings.ramp)[0])}`);
    }
  }
  // The raw rounds, so the report and plot can be redrawn without another run.
  writeFileSync(join(RUN_DIR, 'rounds.json'), JSON.stringify(rounds));
  const results = renderResults(rounds, { ...settings, pools: POOLS, machine, command: `npm run bench:autoscale -- ${process.argv.slice(2).join(' ')}`.trim() });
  console.log(results);
  if (opt['no-write']) return;
  const docPath = join(ROOT, 'docs/autoscaling.md');
  const START = '<!-- bench:autoscale:start -->';
  const STOP = '<!-- bench:autoscale:end -->';
  const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Worker autoscaling\n';
  const block = `${START}\n${results}\n${STOP}`;
  const next = doc.includes(START) ? doc.replace(new RegExp(`${START}[\\s\\S]*${STOP}`), () => block) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(docPath, next);
  mkdirSync(join(ROOT, 'docs/img'), { recursive: true });
  writeFileSync(join(ROOT, 'docs/img/autoscale.svg'), await renderAutoscalePlot(rounds, settings));
  console.error('[bench:autoscale] wrote docs/autoscaling.md and docs/img/autoscale.svg');
}

await main();
