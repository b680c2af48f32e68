/**
 * Server hooks, named after gunicorn's, set in the config file's `hooks` object. Master hooks run
 * in the master; worker hooks run in each worker (which imports the config file itself, because
 * functions cannot cross the fork). A hook that throws is logged and never stops the server.
 */
import type { PoolStatus, WorkerStatus } from './protocol.ts';
import type { Settings } from './settings/registry.ts';

/** What master hooks see of the server. */
export interface ServerView {
  readonly settings: Readonly<Settings>;
  status(): PoolStatus;
}

/** What worker hooks see of their worker. */
export interface WorkerView {
  readonly id: number;
  readonly pid: number;
  readonly settings: Readonly<Settings>;
}

/** The request as pre/postRequest see it (method, path, headers), whichever interface the app uses. */
export interface RequestView {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Hooks {
  /** Master, before anything binds or forks. */
  onStarting?(server: ServerView): unknown;
  /** Master, on HUP, after the settings were re-read and before the new workers fork. */
  onReload?(server: ServerView): unknown;
  /** Master, once the first worker is ready to serve. */
  whenReady?(server: ServerView): unknown;
  /** Master, just before a worker is forked. */
  preFork?(server: ServerView, worker: { id: number }): unknown;
  /** Worker, first thing after the fork, before the app is loaded. */
  postFork?(worker: WorkerView): unknown;
  /** Worker, after the app is loaded and its init() finished. */
  postWorkerInit?(worker: WorkerView): unknown;
  /** Worker, when it gets SIGINT or SIGQUIT (quick exit). */
  workerInt?(worker: WorkerView): unknown;
  /** Master, when a worker is killed for silence past `timeout` (the worker itself is hung). */
  workerAbort?(server: ServerView, worker: WorkerStatus): unknown;
  /** Worker, before each request reaches the app. */
  preRequest?(worker: WorkerView, request: RequestView): unknown;
  /** Worker, after each response is finished. */
  postRequest?(worker: WorkerView, request: RequestView, response: { status: number; durationMs: number }): unknown;
  /** Master, after a worker exited, whatever the reason. */
  childExit?(server: ServerView, worker: WorkerStatus): unknown;
  /** Worker, just before it exits normally. */
  workerExit?(worker: WorkerView): unknown;
  /** Master, when the target number of workers changes. */
  nworkersChanged?(server: ServerView, next: number, previous: number): unknown;
  /** Master, just before it exits. */
  onExit?(server: ServerView): unknown;
}

export type HookName = keyof Hooks;

/** Calls a hook if set; an exception or rejection is reported through `onError`, never thrown. */
export async function callHook<K extends HookName>(
  hooks: Hooks,
  name: K,
  onError: (name: HookName, error: unknown) => void,
  ...args: Parameters<NonNullable<Hooks[K]>>
): Promise<void> {
  const hook = hooks[name] as ((...a: unknown[]) => unknown) | undefined;
  if (!hook) return;
  try {
    await hook(...args);
  } catch (error) {
    onError(name, error);
  }
}
