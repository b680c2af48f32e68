/**
 * Closed-loop HTTP load for the fault scenarios: `concurrency` loops, each sending a request,
 * reading the whole answer, and counting what came back: statuses and socket errors by code,
 * plus which process answered (the `x-worker-pid` header of the fault apps). Bounded by a time
 * and a request count, so a scenario stops even if the server under test never does.
 */
import { Agent, request } from 'node:http';

/**
 * How soon after its request was written an error on a reused keep-alive connection, with no byte
 * of a response, still counts as the idle-close race: the server closed the connection as the
 * request crossed it, so the error follows at once. A request the server read and then dropped
 * fails later, or after some bytes of an answer: a failure, never retried. On a loaded machine a
 * real race can come later than this and is then counted as a failure, never the other way round.
 */
export const RACE_WINDOW_MS = 25;

export interface LoadOptions {
  url: string;
  concurrency: number;
  /** RACE_WINDOW_MS unless given (its unit test widens it: a loaded machine stretches "at once"). */
  raceWindowMs?: number;
  /** Stop after this long at the latest. */
  maxDurationMs: number;
  /** Stop after this many requests at the latest (default: no count limit beyond time). */
  maxRequests?: number;
  method?: string;
  body?: string;
  /** Reuse connections (default true, like a browser or nginx's upstream keep-alive). */
  keepAlive?: boolean;
  /** Per-request deadline (default 10 s). */
  requestTimeoutMs?: number;
}

export interface Tally {
  sent: number;
  ok: number;
  /** Status code → count, for every answer that was not 2xx. */
  statuses: Record<string, number>;
  /** Socket error code → count (ECONNRESET, ECONNREFUSED, TIMEOUT…). */
  errors: Record<string, number>;
  /** PID (x-worker-pid header) → answers. */
  answeredBy: Record<string, number>;
  /**
   * GETs resent once because the server closed a reused keep-alive connection as they were sent
   * (the idle-close race: no byte of an answer, the error within RACE_WINDOW_MS of the write). RFC
   * 9112 §9.3.1 lets a client retry an idempotent request then, and browsers, undici and nginx's
   * upstream module do; only a failed retry counts as a failure. Reported in every scenario, so a
   * retry cannot hide a dropped request unseen.
   */
  retried: number;
  /** Milliseconds since the load started, one entry per failure (for timelines). */
  failuresAt: number[];
  maxLatencyMs: number;
  durationMs: number;
}

/** Failures of any kind: non-2xx answers plus socket errors. */
export function failures(t: Tally): number {
  return Object.values(t.statuses).reduce((a, b) => a + b, 0) + Object.values(t.errors).reduce((a, b) => a + b, 0);
}

export interface RunningLoad {
  /** Live counters (read while the load runs). */
  tally: Tally;
  /** Ask the loops to finish their current request and stop; resolves with the final tally. */
  stop(): Promise<Tally>;
  /** Resolves when the loops end by themselves (time or count reached). */
  done: Promise<Tally>;
}

interface Outcome {
  status?: number;
  error?: string;
  pid?: string;
  /** The error looks like the idle-close race (see RACE_WINDOW_MS). */
  race?: boolean;
}

function once(agent: Agent | false, options: LoadOptions, url: URL): Promise<Outcome> {
  return new Promise((resolve) => {
    let bytesBefore = 0;
    let answered = false;
    let writtenAt: number | undefined;
    const req = request(
      url,
      { method: options.method ?? 'GET', agent, timeout: options.requestTimeoutMs ?? 10_000, headers: options.body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        answered = true;
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, pid: String(res.headers['x-worker-pid'] ?? '') }));
        res.once('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? 'ERESPONSE' }));
      },
    );
    req.once('socket', (socket) => (bytesBefore = socket.bytesRead));
    req.once('finish', () => (writtenAt = performance.now()));
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? e.message;
      if (!req.reusedSocket) return resolve({ error: code });
      const noBytes = !answered && (req.socket?.bytesRead ?? bytesBefore) === bytesBefore;
      const atOnce = writtenAt === undefined || performance.now() - writtenAt <= (options.raceWindowMs ?? RACE_WINDOW_MS);
      resolve({ error: `${code} (reused connection)`, race: noBytes && atOnce && code !== 'TIMEOUT' });
    });
    req.end(options.body);
  });
}

/** Start the load; it runs until `stop()`, `maxDurationMs` or `maxRequests`. */
export function startLoad(options: LoadOptions): RunningLoad {
  const url = new URL(options.url);
  const agent = options.keepAlive === false ? false : new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const tally: Tally = { sent: 0, ok: 0, statuses: {}, errors: {}, answeredBy: {}, retried: 0, failuresAt: [], maxLatencyMs: 0, durationMs: 0 };
  const started = performance.now();
  let stopping = false;
  const limit = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const loop = async (): Promise<void> => {
    while (!stopping && tally.sent < limit && performance.now() - started < options.maxDurationMs) {
      tally.sent++;
      const t0 = performance.now();
      let r = await once(agent, options, url);
      if (r.race && (options.method ?? 'GET') === 'GET') {
        tally.retried++;
        r = await once(agent, options, url);
      }
      tally.maxLatencyMs = Math.max(tally.maxLatencyMs, performance.now() - t0);
      if (r.error) {
        tally.errors[r.error] = (tally.errors[r.error] ?? 0) + 1;
        tally.failuresAt.push(performance.now() - started);
        // A refused connection returns at once; do not spin on a closed port.
        if (r.error === 'ECONNREFUSED') await new Promise((res) => setTimeout(res, 20));
      } else if (r.status !== undefined && r.status >= 200 && r.status < 300) {
        tally.ok++;
        if (r.pid) tally.answeredBy[r.pid] = (tally.answeredBy[r.pid] ?? 0) + 1;
      } else {
        const key = String(r.status);
        tally.statuses[key] = (tally.statuses[key] ?? 0) + 1;
        tally.failuresAt.push(performance.now() - started);
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.concurrency }, loop)).then(() => {
    tally.durationMs = performance.now() - started;
    if (agent) agent.destroy();
    return tally;
  });
  return {
    tally,
    done,
    stop: () => {
      stopping = true;
      return done;
    },
  };
}
