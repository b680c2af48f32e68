/**
 * Scenarios that hurt the pool under load: workers SIGKILLed, a hung worker, TERM, HUP, recycling
 * by request count and by memory. Each runs against any FaultTarget kind with bounded load and
 * durations given by the caller (short in `npm test`, full in `npm run faults`).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { get } from 'node:http';
import { readFileSync } from 'node:fs';
import { NODE, ROOT, RUN_DIR } from '../contenders.ts';
import { startNginxFront } from '../lib/nginx.ts';
import { failures, startLoad, type RunningLoad, type Tally } from './load.ts';
import { describeTally, type ScenarioResult } from './result.ts';
import { startFaultTarget, waitFor, type FaultTarget, type FaultTargetOptions, type TargetKind } from './targets.ts';

const run = promisify(execFile);

async function withTarget<T>(kind: TargetKind, options: FaultTargetOptions, body: (t: FaultTarget) => Promise<T>): Promise<T> {
  const target = await startFaultTarget(kind, options);
  try {
    return await body(target);
  } finally {
    await target.server.stop('SIGTERM', 5000);
  }
}

/** Distinct worker PIDs that answered beyond the pool size: how many replacements served. */
const replacementsSeen = (t: Tally, workers: number): number => Math.max(0, Object.keys(t.answeredBy).length - workers);

/** CPU ticks (user + system) a process has used so far; 0 once it is gone. */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** The PID among `pids` that burnt the most CPU over `windowMs` (a spinning event loop). */
async function busiestWorker(pids: number[], windowMs: number): Promise<number | undefined> {
  const before = pids.map(cpuTicks);
  await sleep(windowMs);
  const used = pids.map((pid, i) => cpuTicks(pid) - before[i]!);
  return pids[used.indexOf(Math.max(...used))];
}

/** 1. SIGKILL a random worker every `intervalS` for `durationS`, GET traffic through nginx. */
export async function killWorkers(kind: TargetKind, durationS: number, intervalS = 2): Promise<ScenarioResult> {
  return withTarget(kind, {}, async (target) => {
    const front = await startNginxFront(`faults-${kind}`, target.port, resolve(RUN_DIR, 'faults'));
    try {
      const load = startLoad({ url: `http://127.0.0.1:${front.port}/`, concurrency: 8, maxDurationMs: (durationS + 30) * 1000 });
      let kills = 0;
      const until = Date.now() + durationS * 1000;
      while (Date.now() < until) {
        await sleep(intervalS * 1000);
        const pids = await target.workerPids();
        const victim = pids[Math.floor(Math.random() * pids.length)];
        if (victim === undefined) continue;
        process.kill(victim, 'SIGKILL');
        kills++;
      }
      const tally = await load.stop();
      const backMs = await waitFor(async () => (await target.workerPids()).length >= 2, 15_000);
      return {
        scenario: `SIGKILL a worker every ${intervalS} s for ${durationS} s (GET via nginx)`,
        target: kind,
        passed: failures(tally) === 0 && tally.ok > 0,
        summary: `${describeTally(tally)}; ${kills} workers killed; pool back to 2 ${backMs === undefined ? 'not within 15 s' : `${(backMs / 1000).toFixed(1)} s after the last kill`}`,
        tally,
      };
    } finally {
      await front.server.stop();
    }
  });
}

/** 2. One worker's event loop blocks for good: replaced within timeout + 2 s; others keep serving. */
export async function blockWorker(kind: TargetKind, timeoutS: number, observeS = timeoutS + 4): Promise<ScenarioResult> {
  return withTarget(kind, { timeoutS }, async (target) => {
    // Block whichever worker takes the request, then find it by its CPU: the spinning one. (A
    // keep-alive trick would not do: gunicorn's sync workers close every connection.)
    const blocked = get(`http://127.0.0.1:${target.port}/block`);
    blocked.on('error', () => {});
    const blockedAt = Date.now();
    await sleep(300);
    const victim = String(await busiestWorker(await target.workerPids(), 400));
    const load = startLoad({ url: `http://127.0.0.1:${target.port}/`, concurrency: 4, keepAlive: false, maxDurationMs: observeS * 1000, requestTimeoutMs: observeS * 1000 });
    const workers = 2;
    const waitStart = Date.now();
    const waited = await waitFor(async () => {
      const pids = await target.workerPids();
      return !pids.includes(Number(victim)) && pids.length >= workers;
    }, observeS * 1000);
    const replacedMs = waited === undefined ? undefined : waited + (waitStart - blockedAt);
    const tally = await load.done;
    blocked.destroy();
    const others = Object.entries(tally.answeredBy).filter(([pid]) => pid !== victim).reduce((a, [, n]) => a + n, 0);
    const inTime = replacedMs !== undefined && replacedMs <= (timeoutS + 2) * 1000;
    return {
      scenario: `a worker's event loop blocks (timeout ${timeoutS} s)`,
      target: kind,
      passed: inTime && others > 0,
      summary:
        `${replacedMs === undefined ? `not replaced within ${observeS} s` : `replaced ${(replacedMs / 1000).toFixed(1)} s after the block`}; ` +
        `${others} answers from the other workers meanwhile; ${describeTally(tally)} (failures are requests the hung worker held)`,
      tally,
    };
  });
}

/**
 * 3. TERM under load: every accepted request answered, exit within the grace period. `readinessFirst` plays a load balancer that honours readiness (as
 * Kubernetes and a well-configured proxy do): the gateway runs with `--drain-delay 1`, and the
 * clients stop opening requests as soon as its /readyz answers 503. Without it the clients keep
 * connecting straight to the port while it closes, so connections the kernel queued in the last
 * moment are reset by whichever server it is (gunicorn #3397); that case is reported, not hidden.
 */
export async function termUnderLoad(kind: TargetKind, graceS: number, options: { readinessFirst?: boolean } = {}): Promise<ScenarioResult> {
  const readinessFirst = options.readinessFirst === true && kind === 'gateway';
  const target = await startFaultTarget(kind, { graceS, ...(readinessFirst ? { extraArgs: ['--drain-delay', '1'] } : {}) });
  try {
    const base = `http://127.0.0.1:${target.port}`;
    const slow = startLoad({ url: `${base}/slow?ms=1500`, concurrency: 6, maxDurationMs: (graceS + 10) * 1000 });
    const fast = startLoad({ url: `${base}/`, concurrency: 6, maxDurationMs: (graceS + 10) * 1000 });
    await sleep(1000);
    const termAt = Date.now();
    process.kill(target.server.pid, 'SIGTERM');
    if (readinessFirst) void stopWhenNotReady(`http://127.0.0.1:${target.adminPort}/readyz`, [slow, fast]);
    const exitCode = await Promise.race([target.server.exited, sleep((graceS + 8) * 1000).then(() => undefined)]);
    const exitMs = Date.now() - termAt;
    const [s, f] = await Promise.all([slow.stop(), fast.stop()]);
    // A refused connection was never accepted: after the listener closes that is the right answer.
    const lost = (t: Tally): number => failures(t) - (t.errors.ECONNREFUSED ?? 0);
    const inTime = exitCode !== undefined && exitMs <= graceS * 1000 + 1000 + (readinessFirst ? 1000 : 0);
    return {
      scenario: `TERM under load (grace ${graceS} s; 1.5 s requests in flight${readinessFirst ? '; clients honour /readyz, drain delay 1 s' : ''})`,
      target: kind,
      passed: lost(s) + lost(f) === 0 && s.ok > 0 && inTime,
      summary:
        `slow: ${describeTally(s)}; fast: ${describeTally(f)}; accepted-and-lost ${lost(s) + lost(f)}; ` +
        `${exitCode === undefined ? 'did not exit' : `exited ${exitCode} after ${(exitMs / 1000).toFixed(1)} s`}`,
      tally: f,
    };
  } finally {
    await target.server.stop('SIGKILL', 1000);
  }
}

/** Polls readiness every 50 ms and stops the loads (each finishes its current request) once it fails. */
async function stopWhenNotReady(readyUrl: string, loads: RunningLoad[]): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (!ready) break;
    await sleep(50);
  }
  for (const load of loads) void load.stop();
}

/** PM2 has no signal for a reload: its CLI asks the daemon (the one pm2-runtime runs, by PM2_HOME). */
async function pm2Reload(target: FaultTarget): Promise<void> {
  const home = resolve(RUN_DIR, 'faults', `pm2-${target.port}`, 'home');
  await run(NODE, [resolve(ROOT, 'node_modules/pm2/bin/pm2'), 'reload', 'fault'], { env: { ...process.env, PM2_HOME: home }, timeout: 60_000 });
}

/** How long a rolling reload may take before the scenario stops waiting for it (a loaded machine forks slowly). */
const RELOAD_WAIT_MS = 30_000;

/**
 * 4a. Rolling reload (HUP; `pm2 reload` for PM2) after a third of `durationS` of load: zero failed.
 * The load runs at least `durationS`, and on until every old worker is gone and a new one has
 * answered (at most RELOAD_WAIT_MS more), so a slow fork is measured, not mistaken for a lost reload.
 */
export async function reloadUnderLoad(kind: TargetKind, durationS: number): Promise<ScenarioResult> {
  return withTarget(kind, {}, async (target) => {
    const before = await target.workerPids();
    const load = startLoad({ url: `http://127.0.0.1:${target.port}/`, concurrency: 8, maxDurationMs: durationS * 1000 + RELOAD_WAIT_MS });
    await sleep((durationS * 1000) / 3);
    if (kind === 'pm2') await pm2Reload(target);
    else process.kill(target.server.pid, 'SIGHUP');
    const newWorkerAnswered = () => Object.keys(load.tally.answeredBy).some((pid) => !before.includes(Number(pid)));
    await Promise.all([
      sleep((durationS * 1000 * 2) / 3),
      waitFor(async () => newWorkerAnswered() && (await target.workerPids()).every((pid) => !before.includes(pid)), RELOAD_WAIT_MS),
    ]);
    const tally = await load.stop();
    const after = await target.workerPids();
    const replaced = before.filter((pid) => !after.includes(pid)).length;
    // Answers from workers forked by the reload: the new version really served.
    const byNew = Object.entries(tally.answeredBy).filter(([pid]) => !before.includes(Number(pid))).reduce((a, [, n]) => a + n, 0);
    return {
      scenario: `rolling reload under load (${durationS} s)`,
      target: kind,
      passed: failures(tally) === 0 && tally.ok > 0 && replaced === before.length && byNew > 0,
      summary: `${describeTally(tally)}; ${replaced} of ${before.length} workers replaced; ${byNew.toLocaleString('en')} answers from the new workers`,
      tally,
    };
  });
}

/** 4b. Recycling every `maxRequests` requests for `durationS` under load: zero failed. */
export async function recycleUnderLoad(kind: TargetKind, maxRequests: number, durationS: number): Promise<ScenarioResult> {
  return withTarget(kind, { maxRequests }, async (target) => {
    const tally = await startLoad({ url: `http://127.0.0.1:${target.port}/`, concurrency: 8, maxDurationMs: durationS * 1000 }).done;
    const seen = replacementsSeen(tally, 2);
    return {
      scenario: `recycle every ${maxRequests} requests (${durationS} s of load)`,
      target: kind,
      passed: failures(tally) === 0 && seen > 0,
      summary: `${describeTally(tally)}; ${seen} replacement workers answered`,
      tally,
    };
  });
}

/** 5. A leaking app under load with a memory ceiling: recycled, zero failed. */
export async function leakUnderLoad(kind: TargetKind, maxMemoryMiB: number, durationS: number): Promise<ScenarioResult> {
  return withTarget(kind, { maxMemoryMiB, app: 'bench/peers/leak-app.ts' }, async (target) => {
    const tally = await startLoad({ url: `http://127.0.0.1:${target.port}/`, concurrency: 4, maxDurationMs: durationS * 1000 }).done;
    const status = await target.status();
    const seen = replacementsSeen(tally, 2);
    return {
      scenario: `leaking app (512 KiB a request), ceiling ${maxMemoryMiB} MiB (${durationS} s)`,
      target: kind,
      passed: failures(tally) === 0 && seen > 0,
      summary: `${describeTally(tally)}; ${seen} replacement workers answered; recycles by /status: ${status?.restarts.recycle ?? 'n/a'}`,
      tally,
    };
  });
}
