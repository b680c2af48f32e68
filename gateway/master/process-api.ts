/**
 * The seam between the master's decisions and the operating system (gunicorn's tests patch
 * os.fork/os.waitpid/time the same way). The arbiter only talks to this interface, so unit tests
 * drive it with a fake and integration tests with the real node:cluster implementation below.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { MasterMessage, WorkerMessage } from '../protocol.ts';
import { relaySocketIoAdapter } from './socket-io-relay.ts';
import type { StickyListener } from './sticky-listener.ts';

/** Callbacks a forked worker reports through; the arbiter turns them into queued events. */
export interface WorkerEvents {
  message(message: WorkerMessage): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface WorkerHandle {
  readonly pid: number;
  send(message: MasterMessage): void;
  kill(signal: NodeJS.Signals): void;
}

export interface ProcessApi {
  /** Forks a worker process with these extra environment variables. */
  fork(env: Record<string, string>, events: WorkerEvents): WorkerHandle;
  /** Monotonic milliseconds. */
  now(): number;
  /** Epoch milliseconds, for display only. */
  wallClock(): number;
}

// The worker entry in the same form as this file: main.ts from the sources, main.js from the build.
const WORKER_ENTRY = fileURLToPath(new URL(`../worker/main${import.meta.url.endsWith('.js') ? '.js' : '.ts'}`, import.meta.url));

/**
 * node:cluster workers. `roundRobin` picks how connections reach workers: the master accepts
 * and hands them out (SCHED_RR), or workers accept themselves, on one shared socket or on
 * their own reuse-port sockets (SCHED_NONE). With `sticky`, the master's own listener hands
 * connections out by session id and workers listen on nothing.
 */
export function clusterProcessApi(options: { roundRobin: boolean; sticky?: StickyListener }): ProcessApi {
  const { sticky } = options;
  cluster.schedulingPolicy = options.roundRobin ? cluster.SCHED_RR : cluster.SCHED_NONE;
  // The worker entry is our own module, not the CLI: the master runs no app code, and workers
  // never parse the command line (they get resolved settings from the master).
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [], silent: false });
  relaySocketIoAdapter(cluster);
  return {
    fork(env, events) {
      const worker: Worker = cluster.fork(env);
      sticky?.attach(worker);
      worker.on('message', (message: WorkerMessage) => events.message(message));
      worker.on('exit', (code, signal) => events.exit(code, signal as NodeJS.Signals | null));
      // An IPC error (e.g. the worker died mid-send) is reported by 'exit'; swallow it here so it
      // cannot crash the master.
      worker.on('error', () => {});
      return {
        pid: worker.process.pid ?? -1,
        send(message) {
          if (message.type === 'drain') sticky?.retire(worker);
          if (worker.isConnected()) worker.send(message, undefined, () => {});
        },
        kill(signal) {
          try {
            worker.process.kill(signal);
          } catch {
            // Already gone: its exit event is on its way.
          }
        },
      };
    },
    now: () => performance.now(),
    wallClock: () => Date.now(),
  };
}
