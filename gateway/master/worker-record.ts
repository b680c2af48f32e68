/**
 * What the master knows about one worker process, and the small pure questions it asks of it.
 */
import type { ExitCause, WorkerLoad, WorkerState, WorkerStatus } from '../protocol.ts';
import type { WorkerHandle } from './process-api.ts';

export interface WorkerRecord {
  id: number;
  handle: WorkerHandle;
  state: WorkerState;
  generation: number;
  /** Monotonic ms when forked. */
  forkedAt: number;
  /** Epoch ms when forked, for display. */
  startedAtWall: number;
  /** Monotonic ms of the last heartbeat (or the fork). */
  lastSeen: number;
  load: WorkerLoad;
  /** Latest metrics snapshot the worker sent with its heartbeat. */
  metrics?: unknown;
  /** Set when the worker should leave once a replacement is ready (recycle or reload). */
  retiring?: ExitCause;
  /** Why we asked it to stop; an exit without one is a crash. */
  exitCause?: ExitCause;
  /** Monotonic ms after which a draining worker is killed. */
  deadline?: number;
  /** The worker reported that it cannot load the app. */
  bootFailure?: { code: string; message: string };
}

/** Serving or about to serve, and not on its way out. */
export function isFresh(w: WorkerRecord): boolean {
  return (w.state === 'booting' || w.state === 'ready') && !w.retiring;
}

export function toStatus(w: WorkerRecord, now: number): WorkerStatus {
  return {
    id: w.id,
    pid: w.handle.pid,
    state: w.state,
    startedAt: w.startedAtWall,
    lastSeenMs: Math.round(now - w.lastSeen),
    generation: w.generation,
    ...w.load,
  };
}

/** Oldest first: the order gunicorn retires workers in (they hold the most accumulated memory). */
export function byAge(a: WorkerRecord, b: WorkerRecord): number {
  return a.forkedAt - b.forkedAt || a.id - b.id;
}
