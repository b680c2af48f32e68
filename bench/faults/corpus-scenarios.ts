/**
 * The raw-request corpus against real servers: the gateway hosting the echo apps (a fetch app at
 * `/`, a Node listener at `/node`), the rendered nginx in front of it, and Debian's gunicorn with
 * the same echo as WSGI. Each case goes out on its own connection, one after another.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RUN_DIR } from '../contenders.ts';
import { startNginxFront } from '../lib/nginx.ts';
import { loadCorpus, runCorpus, type CorpusAnswer, type CorpusCase, type CorpusTarget } from './http-corpus.ts';
import { startFaultTarget } from './targets.ts';

/** The body limit the gateway runs the corpus with (the limit cases send twice as much). */
export const CORPUS_BODY_LIMIT = 1024;

export interface CorpusRun {
  cases: CorpusCase[];
  answers: Partial<Record<CorpusTarget, Map<string, CorpusAnswer>>>;
  /** The gateway's log lines at level error or above, during the run (JSON text). */
  gatewayErrors: string[];
}

/** Runs every case against each of `targets` (the gateway always; nginx fronts it). */
export async function runCorpusOn(targets: CorpusTarget[], cases = loadCorpus()): Promise<CorpusRun> {
  const run: CorpusRun = { cases, answers: {}, gatewayErrors: [] };
  const gateway = await startFaultTarget('gateway', {
    workers: 1,
    app: 'bench/peers/echo-app.ts',
    extraArgs: ['--mount', '/node=bench/peers/echo-listener.ts', '--max-body-size', String(CORPUS_BODY_LIMIT)],
  });
  try {
    run.answers.gateway = await runCorpus(gateway.port, 'gateway', cases);
    if (targets.includes('nginx')) {
      const front = await startNginxFront('corpus', gateway.port, resolve(RUN_DIR, 'faults'));
      try {
        run.answers.nginx = await runCorpus(front.port, 'nginx', cases);
      } finally {
        await front.server.stop();
      }
    }
  } finally {
    await gateway.server.stop();
    const log = readFileSync(gateway.server.spec.logFile, 'utf8');
    run.gatewayErrors = log.split('\n').filter((line) => /"level":"(error|fatal)"/.test(line));
  }
  if (targets.includes('gunicorn')) {
    const gunicorn = await startFaultTarget('gunicorn', { workers: 1, wsgi: 'echo_wsgi:application' });
    try {
      run.answers.gunicorn = await runCorpus(gunicorn.port, 'gunicorn', cases);
    } finally {
      await gunicorn.server.stop();
    }
  }
  return run;
}
