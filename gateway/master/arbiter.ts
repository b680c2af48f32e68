/**
 * The master's whole life in one loop (gunicorn's Arbiter.run): signal handlers and worker
 * events only enqueue; each tick drains the queue, kills hung workers, and brings the pool to its
 * target size. The arbiter never touches a process directly: it goes through a ProcessApi, so its
 * decisions are unit-tested with a fake one and a fake clock.
 */
import type { Logger } from 'pino';
import { ExitCode } from '../errors.ts';
import { callHook, type HookName, type Hooks, type ServerView } from '../hooks.ts';
import type { ExitCause, PoolStatus, WorkerMessage } from '../protocol.ts';
import type { PoolBounds } from '../settings/pool.ts';
import type { Settings } from '../settings/registry.ts';
import type { ProcessApi } from './process-api.ts';
import { byAge, isFresh, toStatus, type WorkerRecord } from './worker-record.ts';

export type MasterSignal = 'SIGTERM' | 'SIGINT' | 'SIGQUIT' | 'SIGHUP' | 'SIGTTIN' | 'SIGTTOU' | 'SIGUSR1';

/** New settings for a HUP reload, read by whoever owns the sources (the CLI). */
export interface Reloaded {
  settings: Settings;
  pool: PoolBounds;
  hooks: Hooks;
}

/** Optional policies and observers the master consults; the core imports none of them. */
export interface ArbiterPlugins {
  /** Proposes a new target from this tick's load; called only when the pool autoscales. */
  autoscale?(input: { now: number; target: number; bounds: PoolBounds; workers: WorkerRecord[] }): number;
  /** Told when an operator moves the target by hand (TTIN/TTOU, admin POST). */
  manualTarget?(target: number, now: number): void;
  /** Told about every worker exit, heartbeat and retirement (metrics). */
  observe?(event: { type: 'exit'; cause: ExitCause } | { type: 'heartbeat'; id: number; metrics: unknown } | { type: 'gone'; id: number; metrics: unknown }): void;
}

export interface ArbiterOptions {
  settings: Settings;
  pool: PoolBounds;
  hooks: Hooks;
  log: Logger;
  processApi: ProcessApi;
  /** Environment for a new worker: how it learns its id and the settings. */
  workerEnv(worker: { id: number; generation: number }, settings: Settings): Record<string, string>;
  /** Re-reads the settings for HUP; rejects with a GatewayError when they are bad. */
  reload?(): Promise<Reloaded>;
  /** Reopens the master's own log file (USR1). */
  reopenLogs?(): void;
  /** Called once when the master is done, with its exit status. */
  onDone(code: number, reason: string): void;
  plugins?: ArbiterPlugins;
  version?: string;
}

type Event =
  | { kind: 'signal'; signal: MasterSignal }
  | { kind: 'message'; id: number; message: WorkerMessage }
  | { kind: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'set-target'; target: number }
  | { kind: 'reloaded'; next: Reloaded };

const QUICK_STOP_MS = 2_000;
const CRASH_WINDOW_MS = 30_000;
const MAX_BACKOFF_MS = 10_000;

export class Arbiter {
  #o: ArbiterOptions;
  #settings: Settings;
  #pool: PoolBounds;
  #hooks: Hooks;
  #queue: Event[] = [];
  #workers = new Map<number, WorkerRecord>();
  #nextId = 1;
  #generation = 1;
  #target: number;
  #phase: 'running' | 'stopping' | 'done' = 'running';
  #stopAt = 0;
  #quick = false;
  #drainSent = false;
  #exit: { code: number; reason: string } = { code: ExitCode.OK, reason: 'stopped' };
  #crashes: number[] = [];
  #spawnAfter = 0;
  #everReady = false;
  #reloadPending = false;
  #stopRequested = false;
  #previous?: { settings: Settings; pool: PoolBounds; hooks: Hooks; generation: number };
  #restarts: Partial<Record<ExitCause, number>> = {};
  #startedAtWall: number;
  #lastTick = 0;
  /** Set by the runner: called whenever an event arrives, to schedule a tick soon. */
  wake: () => void = () => {};

  constructor(options: ArbiterOptions) {
    this.#o = options;
    this.#settings = options.settings;
    this.#pool = options.pool;
    this.#hooks = options.hooks;
    this.#target = options.pool.initial;
    this.#startedAtWall = options.processApi.wallClock();
  }

  // ---- inputs: only enqueue --------------------------------------------------------------

  signal(signal: MasterSignal): void {
    // Readiness goes off the moment a stop is asked for, before the loop gets to it.
    if (signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGQUIT') this.#stopRequested = true;
    this.#enqueue({ kind: 'signal', signal });
  }

  /** An operator sets the target (admin POST); bounded like TTIN/TTOU. */
  setTarget(target: number): void {
    this.#enqueue({ kind: 'set-target', target });
  }

  #enqueue(event: Event): void {
    this.#queue.push(event);
    this.wake();
  }

  // ---- the loop ---------------------------------------------------------------------------

  /** One turn of the master's life. */
  tick(): void {
    if (this.#phase === 'done') return;
    const now = this.#o.processApi.now();
    this.#lastTick = now;
    this.#handleEvents(now);
    this.#murderWorkers(now);
    if (this.#phase === 'running') {
      this.#autoscale(now);
      this.#manageWorkers(now);
    } else {
      this.#stopWorkers(now);
    }
  }

  #handleEvents(now: number): void {
    for (let event = this.#queue.shift(); event; event = this.#queue.shift()) {
      if (event.kind === 'signal') this.#handleSignal(event.signal, now);
      else if (event.kind === 'message') this.#handleMessage(event.id, event.message, now);
      else if (event.kind === 'exit') this.#reapWorker(event.id, event.code, event.signal, now);
      else if (event.kind === 'set-target') this.#moveTarget(event.target, now);
      else this.#applyReload(event.next);
    }
  }

  #handleSignal(signal: MasterSignal, now: number): void {
    this.#o.log.info({ signal }, `master got ${signal}`);
    switch (signal) {
      case 'SIGTERM':
        return this.#beginStop(now, false);
      case 'SIGINT':
      case 'SIGQUIT':
        return this.#beginStop(now, true);
      case 'SIGHUP':
        return this.#beginReload();
      case 'SIGTTIN':
        return this.#moveTarget(this.#target + 1, now);
      case 'SIGTTOU':
        return this.#moveTarget(this.#target - 1, now);
      case 'SIGUSR1':
        this.#o.reopenLogs?.();
        for (const w of this.#workers.values()) w.handle.send({ type: 'reopen-logs' });
        return;
    }
  }

  #handleMessage(id: number, message: WorkerMessage, now: number): void {
    const w = this.#workers.get(id);
    if (!w) return;
    w.lastSeen = now;
    switch (message.type) {
      case 'ready':
        if (w.state !== 'booting') return;
        w.state = 'ready';
        this.#o.log.info({ worker: id, pid: w.handle.pid }, `worker ${id} ready`);
        if (!this.#everReady) {
          this.#everReady = true;
          this.#hook('whenReady', this.#view());
        }
        return;
      case 'heartbeat':
        w.load = message.load;
        w.metrics = message.metrics;
        this.#o.plugins?.observe?.({ type: 'heartbeat', id, metrics: message.metrics });
        return;
      case 'boot-failed':
        w.bootFailure = { code: message.code, message: message.message };
        return;
      case 'recycle':
        if (!w.retiring && w.state === 'ready') {
          this.#o.log.info({ worker: id, reason: message.reason }, `worker ${id} asks to be recycled (${message.reason})`);
          w.retiring = 'recycle';
        }
        return;
    }
  }

  #reapWorker(id: number, code: number | null, signal: NodeJS.Signals | null, now: number): void {
    const w = this.#workers.get(id);
    if (!w) return;
    this.#workers.delete(id);
    const bootCodes: Array<number | null> = [ExitCode.CONFIG, ExitCode.WORKER_BOOT, ExitCode.APP_LOAD];
    const cause: ExitCause = w.bootFailure || (w.state === 'booting' && bootCodes.includes(code))
      ? 'boot-failure'
      : (w.exitCause ?? (w.state === 'killed' ? 'timeout' : 'crash'));
    this.#restarts[cause] = (this.#restarts[cause] ?? 0) + 1;
    this.#o.plugins?.observe?.({ type: 'exit', cause });
    this.#o.plugins?.observe?.({ type: 'gone', id, metrics: w.metrics });
    const fields = { worker: id, pid: w.handle.pid, code, signal, cause };
    if (cause === 'crash') {
      const hint = signal === 'SIGKILL' ? ' (killed from outside: perhaps out of memory?)' : '';
      this.#o.log.warn(fields, `worker ${id} exited unexpectedly${hint}`);
      // Only a worker that dies before it is ready signals a crash loop worth backing off from;
      // one that was serving (killed by the OOM killer, an operator, a fatal request) is replaced
      // at once, or the pool would shrink exactly when it is under fire.
      if (w.state === 'booting') this.#noteCrash(now);
    } else {
      this.#o.log.info(fields, `worker ${id} exited (${cause})`);
    }
    this.#hook('childExit', this.#view(), toStatus(w, now));
    if (cause === 'boot-failure') this.#bootFailed(w, code);
  }

  /** A worker cannot load the app: cancel a reload in progress, otherwise stop (gunicorn exit 3/4). */
  #bootFailed(w: WorkerRecord, code: number | null): void {
    const reason = w.bootFailure ? `${w.bootFailure.code}: ${w.bootFailure.message}` : `worker exited with code ${code} while booting`;
    if (w.generation > this.#generation) return; // from a reload already cancelled
    const oldStillServing = [...this.#workers.values()].some((o) => o.generation < w.generation && o.state === 'ready');
    if (this.#previous && oldStillServing && this.#phase === 'running') {
      this.#o.log.error({ reason }, 'reload failed: the new app cannot boot; keeping the running workers');
      this.#cancelReload();
      return;
    }
    if (this.#phase === 'done') return;
    // The worker's own exit status names the cause (2: cannot bind, 3: boot, 4: app load).
    const known: number[] = [ExitCode.CONFIG, ExitCode.WORKER_BOOT, ExitCode.APP_LOAD];
    const exitCode = code !== null && known.includes(code) ? code : ExitCode.APP_LOAD;
    this.#o.log.fatal({ reason }, `shutting down: ${reason}`);
    this.#exit = { code: exitCode, reason };
    this.#beginStop(this.#o.processApi.now(), true);
  }

  #noteCrash(now: number): void {
    this.#crashes = [...this.#crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const n = this.#crashes.length;
    const delay = n <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 250 * 2 ** (n - 2));
    this.#spawnAfter = now + delay;
    if (delay > 0) this.#o.log.warn({ crashes: n, delayMs: delay }, `${n} crashes in ${CRASH_WINDOW_MS / 1000} s: backing off`);
  }

  /** Hung workers (silent past `timeout`), stuck boots and drains past their deadline. */
  #murderWorkers(now: number): void {
    const { timeout, bootTimeout } = this.#settings;
    for (const w of this.#workers.values()) {
      if (w.state === 'killed') continue;
      const silent = now - w.lastSeen > timeout * 1000;
      const bootStuck = w.state === 'booting' && now - w.forkedAt > bootTimeout * 1000;
      const drainOver = w.state === 'draining' && w.deadline !== undefined && now > w.deadline;
      if (!silent && !bootStuck && !drainOver) continue;
      const why = drainOver ? 'did not finish draining in time' : bootStuck ? `did not boot within ${bootTimeout} s` : `silent for more than ${timeout} s`;
      this.#o.log.error({ worker: w.id, pid: w.handle.pid }, `worker ${w.id} ${why}: killing it`);
      if (!drainOver) {
        w.exitCause = 'timeout';
        this.#hook('workerAbort', this.#view(), toStatus(w, now));
      }
      w.state = 'killed';
      w.handle.kill('SIGKILL');
    }
  }

  #autoscale(now: number): void {
    if (!this.#pool.autoscale || !this.#o.plugins?.autoscale) return;
    const workers = [...this.#workers.values()].filter((w) => w.state === 'ready' && !w.retiring);
    const proposed = this.#o.plugins.autoscale({ now, target: this.#target, bounds: this.#pool, workers });
    this.#setTarget(proposed);
  }

  /** Brings the pool to its target: spawn what is missing, retire what is surplus. */
  #manageWorkers(now: number): void {
    const all = [...this.#workers.values()];
    const fresh = all.filter(isFresh);
    if (fresh.length < this.#target && now >= this.#spawnAfter) {
      for (let i = fresh.length; i < this.#target; i++) this.#spawnWorker(now);
    }
    // Scale down: booting workers first (they serve nobody yet), then the oldest.
    const surplus = fresh.length - this.#target;
    if (surplus > 0) {
      const order = [...fresh.filter((w) => w.state === 'booting').reverse(), ...fresh.filter((w) => w.state === 'ready').sort(byAge)];
      for (const w of order.slice(0, surplus)) this.#drainWorker(w, 'scale-down', now);
    }
    // Recycle/reload: a retiring worker leaves only once a fresh one is ready in its place, so
    // serving capacity never dips below the target.
    const retiring = all.filter((w) => w.retiring && (w.state === 'ready' || w.state === 'booting')).sort(byAge);
    const readyFresh = fresh.filter((w) => w.state === 'ready').length;
    let canRetire = readyFresh + retiring.filter((w) => w.state === 'ready').length - this.#target;
    for (const w of retiring) {
      if (w.state === 'booting') this.#drainWorker(w, w.retiring!, now);
      else if (canRetire-- > 0) this.#drainWorker(w, w.retiring!, now);
    }
  }

  #spawnWorker(now: number): void {
    const id = this.#nextId++;
    const generation = this.#generation;
    this.#hook('preFork', this.#view(), { id });
    const handle = this.#o.processApi.fork(this.#o.workerEnv({ id, generation }, this.#settings), {
      message: (message) => this.#enqueue({ kind: 'message', id, message }),
      exit: (code, signal) => this.#enqueue({ kind: 'exit', id, code, signal }),
    });
    const record: WorkerRecord = {
      id, handle, generation, state: 'booting', forkedAt: now, lastSeen: now,
      startedAtWall: this.#o.processApi.wallClock(), load: { requests: 0, inFlight: 0, elu: 0, rss: 0 },
    };
    this.#workers.set(id, record);
    this.#o.log.info({ worker: id, pid: handle.pid, generation }, `spawned worker ${id}`);
  }

  #drainWorker(w: WorkerRecord, cause: ExitCause, now: number, deadlineMs = this.#settings.gracefulTimeout * 1000): void {
    if (w.state === 'draining' || w.state === 'killed') return;
    w.state = 'draining';
    w.exitCause = cause;
    w.deadline = now + deadlineMs;
    w.handle.send({ type: 'drain', deadlineMs });
  }

  // ---- stopping ---------------------------------------------------------------------------

  #beginStop(now: number, quick: boolean): void {
    if (this.#phase === 'stopping') {
      if (quick && !this.#quick) this.#quickenStop(now);
      return;
    }
    this.#phase = 'stopping';
    this.#quick = quick;
    this.#stopAt = quick ? now : now + this.#settings.drainDelay * 1000;
    if (quick) this.#quickenStop(now);
  }

  #quickenStop(now: number): void {
    this.#quick = true;
    for (const w of this.#workers.values()) {
      if (w.state === 'killed') continue;
      w.exitCause ??= 'shutdown';
      w.state = 'draining';
      w.deadline = Math.min(w.deadline ?? Infinity, now + QUICK_STOP_MS);
      w.handle.kill('SIGQUIT');
    }
  }

  #stopWorkers(now: number): void {
    if (!this.#drainSent && now >= this.#stopAt) {
      this.#drainSent = true;
      for (const w of this.#workers.values()) this.#drainWorker(w, 'shutdown', now);
    }
    if (this.#workers.size === 0) {
      this.#phase = 'done';
      this.#hook('onExit', this.#view());
      this.#o.log.info({ code: this.#exit.code }, `master exiting: ${this.#exit.reason}`);
      this.#o.onDone(this.#exit.code, this.#exit.reason);
    }
  }

  // ---- target and reload ------------------------------------------------------------------

  #moveTarget(target: number, now: number): void {
    const bounded = this.#setTarget(target);
    this.#o.plugins?.manualTarget?.(bounded, now);
  }

  /** Where the target may go: fixed pools move freely (gunicorn TTIN/TTOU, never below 1), autoscaled ones within their bounds. */
  targetBounds(): { min: number; max: number } {
    return this.#pool.autoscale ? { min: this.#pool.min, max: this.#pool.max } : { min: 1, max: Number.POSITIVE_INFINITY };
  }

  #setTarget(target: number): number {
    const { min, max } = this.targetBounds();
    const next = Math.min(max, Math.max(min, Math.round(target)));
    if (next !== this.#target) {
      this.#o.log.info({ from: this.#target, to: next }, `target workers ${this.#target} → ${next}`);
      this.#hook('nworkersChanged', this.#view(), next, this.#target);
      this.#target = next;
    }
    return next;
  }

  #beginReload(): void {
    if (this.#phase !== 'running' || this.#reloadPending || !this.#o.reload) return;
    this.#reloadPending = true;
    this.#o.reload().then(
      (next) => this.#enqueue({ kind: 'reloaded', next }),
      (error: unknown) => {
        this.#reloadPending = false;
        this.#o.log.error({ err: error }, `reload failed, keeping the running settings: ${error instanceof Error ? error.message : error}`);
      },
    );
  }

  #applyReload(next: Reloaded): void {
    this.#reloadPending = false;
    if (this.#phase !== 'running') return;
    this.#previous = { settings: this.#settings, pool: this.#pool, hooks: this.#hooks, generation: this.#generation };
    this.#settings = next.settings;
    this.#pool = next.pool;
    this.#hooks = next.hooks;
    this.#hook('onReload', this.#view());
    this.#generation += 1;
    for (const w of this.#workers.values()) if (isFresh(w)) w.retiring = 'reload';
    if (!next.pool.autoscale) this.#setTarget(next.pool.initial);
    else this.#setTarget(this.#target);
    this.#o.log.info({ generation: this.#generation }, 'reloading: new workers first, then the old ones drain');
  }

  #cancelReload(): void {
    const previous = this.#previous;
    if (!previous) return;
    const now = this.#o.processApi.now();
    for (const w of this.#workers.values()) {
      if (w.generation > previous.generation) this.#drainWorker(w, 'reload', now, 0);
      else if (w.retiring === 'reload') w.retiring = undefined;
    }
    this.#settings = previous.settings;
    this.#pool = previous.pool;
    this.#hooks = previous.hooks;
    this.#generation = previous.generation;
    this.#previous = undefined;
  }

  // ---- views ------------------------------------------------------------------------------

  status(): PoolStatus {
    const now = this.#o.processApi.now();
    return {
      master: { pid: process.pid, startedAt: this.#startedAtWall, version: this.#o.version ?? '' },
      target: this.#target,
      minWorkers: this.#pool.min,
      maxWorkers: this.#pool.max,
      draining: this.#phase !== 'running' || this.#stopRequested,
      workers: [...this.#workers.values()].sort((a, b) => a.id - b.id).map((w) => toStatus(w, now)),
      restarts: { ...this.#restarts },
    };
  }

  /** Liveness: the loop turned within the last `withinMs`. */
  isLive(withinMs: number): boolean {
    return this.#phase !== 'done' && this.#o.processApi.now() - this.#lastTick <= withinMs;
  }

  /** Readiness: not stopping and at least one worker serving. */
  isReady(): boolean {
    return this.#phase === 'running' && !this.#stopRequested && [...this.#workers.values()].some((w) => w.state === 'ready');
  }

  get settings(): Settings {
    return this.#settings;
  }

  #view(): ServerView {
    return { settings: this.#settings, status: () => this.status() };
  }

  #hook<K extends HookName>(name: K, ...args: Parameters<NonNullable<Hooks[K]>>): void {
    void callHook(this.#hooks, name, (hook, error) => this.#o.log.error({ err: error, hook }, `hook ${hook} threw`), ...args);
  }
}
