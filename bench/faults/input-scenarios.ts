/**
 * Bad input and bad apps: static path traversal through nginx, a slowloris of many slow
 * connections, an app that throws at import and one that throws on every request. (Malformed
 * requests are the raw-request corpus: corpus-scenarios.ts.)
 */
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { NODE, ROOT, RUN_DIR } from '../contenders.ts';
import { startNginxFront } from '../lib/nginx.ts';
import { failures, startLoad } from './load.ts';
import { sendRaw } from './raw-http.ts';
import { TRAVERSALS } from './traversals.ts';
import { describeTally, type ScenarioResult } from './result.ts';
import { startFaultTarget, type TargetKind } from './targets.ts';

const run = promisify(execFile);

export interface InputRow {
  name: string;
  expected: number | 'closed';
  got: number | 'closed' | 'timeout';
}

/** Every TRAVERSALS path through nginx in front of the gateway: none may answer 200 or leak a file. */
export async function staticTraversal(): Promise<InputRow[]> {
  const target = await startFaultTarget('gateway');
  const front = await startNginxFront('faults-input', target.port, resolve(RUN_DIR, 'faults'));
  try {
    const traversal: InputRow[] = [];
    for (const path of TRAVERSALS) {
      const answer = await sendRaw(front.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      // Any answer but a 200 is a refusal; a system file's content is a failure whatever the status.
      const leaked = answer.text.includes('root:x:0:0');
      traversal.push({ name: path, expected: 404, got: leaked ? 200 : (answer.status ?? 'closed') });
    }
    return traversal;
  } finally {
    await front.server.stop();
    await target.server.stop();
  }
}

/** Open one slow connection that sends a header byte every second and never finishes. */
function slowConnection(port: number, until: number): Promise<'cut' | 'held'> {
  return new Promise((done) => {
    const socket: Socket = connect({ port, host: '127.0.0.1' });
    let timer: NodeJS.Timeout | undefined;
    const finish = (how: 'cut' | 'held'): void => {
      clearInterval(timer);
      socket.destroy();
      done(how);
    };
    socket.on('connect', () => {
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      timer = setInterval(() => (Date.now() > until ? finish('held') : socket.write('a')), 1000);
    });
    socket.on('error', () => finish('cut'));
    socket.on('close', () => finish('cut'));
  });
}

/** 7. `slow` slowloris connections for `durationS` while normal clients keep asking. */
export async function slowloris(kind: TargetKind, slow: number, durationS: number, headersTimeoutS = 5): Promise<ScenarioResult> {
  const extraArgs = ['--headers-timeout', String(headersTimeoutS)];
  const target = await startFaultTarget(kind, kind === 'gateway' ? { extraArgs } : {});
  try {
    const until = Date.now() + durationS * 1000;
    const slowOnes = Array.from({ length: slow }, () => slowConnection(target.port, until));
    await sleep(500);
    const tally = await startLoad({
      url: `http://127.0.0.1:${target.port}/`,
      concurrency: 4,
      keepAlive: false,
      maxDurationMs: (durationS - 1) * 1000,
      requestTimeoutMs: 5000,
    }).done;
    const outcomes = await Promise.all(slowOnes);
    const cut = outcomes.filter((o) => o === 'cut').length;
    return {
      scenario: `slowloris: ${slow} connections sending a header byte a second (${durationS} s)`,
      target: kind,
      passed: failures(tally) === 0 && tally.ok > 0,
      summary: `normal clients: ${describeTally(tally)}, slowest ${(tally.maxLatencyMs / 1000).toFixed(2)} s; slow connections cut by the server: ${cut} of ${slow}`,
      tally,
    };
  } finally {
    await target.server.stop('SIGTERM', 5000);
  }
}

/** 6a. An app that throws at import: the gateway exits 4 with the reason, without looping. */
export async function throwAtImport(): Promise<ScenarioResult & { exitCode: number; output: string; elapsedMs: number }> {
  const started = Date.now();
  const args = [resolve(ROOT, 'gateway/cli.ts'), 'bench/peers/throw-import.ts', '--workers', '2', '--bind', '127.0.0.1:0', '--admin-bind', '127.0.0.1:0'];
  let exitCode = 0;
  let output = '';
  try {
    const r = await run(NODE, args, { cwd: ROOT, timeout: 30_000 });
    output = r.stdout + r.stderr;
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    exitCode = typeof e.code === 'number' ? e.code : -1;
    output = (e.stdout ?? '') + (e.stderr ?? '');
  }
  const elapsedMs = Date.now() - started;
  const named = output.includes('cannot import the app module') && output.includes('this app fails at import time');
  return {
    scenario: 'app throws at import',
    target: 'gateway',
    passed: exitCode === 4 && named,
    summary: `exit ${exitCode} after ${(elapsedMs / 1000).toFixed(1)} s; message ${named ? 'names the module and the error' : 'MISSING'}`,
    exitCode,
    output,
    elapsedMs,
  };
}

/** 6b. An app that throws on every request: 500s, while the pool keeps its workers and stays healthy. */
export async function throwOnRequest(requests: number): Promise<ScenarioResult> {
  const target = await startFaultTarget('gateway', { app: 'bench/peers/throw-request.ts' });
  try {
    const before = await target.workerPids();
    const tally = await startLoad({ url: `http://127.0.0.1:${target.port}/`, concurrency: 4, maxRequests: requests, maxDurationMs: 30_000 }).done;
    const after = await target.workerPids();
    const health = await fetch(`http://127.0.0.1:${target.adminPort}/healthz`);
    const only500 = tally.statuses['500'] === tally.sent;
    const same = before.length === after.length && before.every((pid) => after.includes(pid));
    return {
      scenario: 'app throws on every request',
      target: 'gateway',
      passed: only500 && same && health.status === 200,
      summary: `${tally.statuses['500'] ?? 0} of ${tally.sent} answered 500; workers ${same ? 'unchanged' : 'CHANGED'}; /healthz ${health.status}`,
      tally,
    };
  } finally {
    await target.server.stop();
  }
}
