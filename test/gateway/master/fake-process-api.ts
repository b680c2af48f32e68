/**
 * A ProcessApi with no processes: forks are recorded, signals and messages are collected, time
 * moves only when the test says so. Tests play the workers' side through `emit`.
 */
import pino from 'pino';
import { Arbiter, type ArbiterOptions } from '../../../gateway/master/arbiter.ts';
import type { ProcessApi, WorkerEvents } from '../../../gateway/master/process-api.ts';
import type { MasterMessage, WorkerMessage } from '../../../gateway/protocol.ts';
import { SETTINGS, defaultOf, type SettingName, type Settings } from '../../../gateway/settings/registry.ts';

export interface FakeWorker {
  pid: number;
  env: Record<string, string>;
  events: WorkerEvents;
  sent: MasterMessage[];
  signals: NodeJS.Signals[];
}

export class FakeProcesses implements ProcessApi {
  time = 0;
  forks: FakeWorker[] = [];
  #pid = 1000;

  fork(env: Record<string, string>, events: WorkerEvents) {
    const worker: FakeWorker = { pid: ++this.#pid, env, events, sent: [], signals: [] };
    this.forks.push(worker);
    return { pid: worker.pid, send: (m: MasterMessage) => worker.sent.push(m), kill: (s: NodeJS.Signals) => worker.signals.push(s) };
  }

  now(): number {
    return this.time;
  }

  wallClock(): number {
    return 1_700_000_000_000 + this.time;
  }

  /** The nth forked worker (1-based, in fork order). */
  worker(n: number): FakeWorker {
    const w = this.forks[n - 1];
    if (!w) throw new Error(`no worker #${n} was forked (only ${this.forks.length})`);
    return w;
  }

  emit(n: number, message: WorkerMessage): void {
    this.worker(n).events.message(message);
  }

  exit(n: number, code: number | null, signal: NodeJS.Signals | null = null): void {
    this.worker(n).events.exit(code, signal);
  }
}

export function testSettings(overrides: Partial<Settings> = {}): Settings {
  const base = {} as Record<SettingName, unknown>;
  for (const name of Object.keys(SETTINGS) as SettingName[]) base[name] = defaultOf(name);
  return { ...(base as Settings), app: 'app.ts', workers: 2, ...overrides };
}

export interface Harness {
  arbiter: Arbiter;
  procs: FakeProcesses;
  done: Array<{ code: number; reason: string }>;
  hookCalls: string[];
  /** Advance the clock by `ms`, then run one tick. */
  step(ms?: number): void;
}

export function harness(options: Partial<ArbiterOptions> & { settings?: Settings } = {}): Harness {
  const procs = new FakeProcesses();
  const done: Harness['done'] = [];
  const hookCalls: string[] = [];
  const record = (name: string) => () => {
    hookCalls.push(name);
  };
  const settings = options.settings ?? testSettings();
  const arbiter = new Arbiter({
    settings,
    pool: { initial: settings.workers, min: settings.workers, max: settings.workers, autoscale: false },
    hooks: {
      preFork: record('preFork'), whenReady: record('whenReady'), childExit: record('childExit'),
      workerAbort: record('workerAbort'), nworkersChanged: record('nworkersChanged'), onExit: record('onExit'), onReload: record('onReload'),
    },
    log: pino({ level: 'silent' }),
    processApi: procs,
    workerEnv: ({ id, generation }) => ({ ID: String(id), GEN: String(generation) }),
    onDone: (code, reason) => done.push({ code, reason }),
    ...options,
  });
  return {
    arbiter, procs, done, hookCalls,
    step(ms = 0) {
      procs.time += ms;
      arbiter.tick();
    },
  };
}

/** Lets promise callbacks (hooks, reload) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
