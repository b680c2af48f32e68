/**
 * The shapes that cross a process boundary: IPC messages between master and workers, and the
 * pool status the admin listener serves. Types only, so every layer may import it.
 */

/** Lifecycle of a worker as the master sees it. */
export type WorkerState =
  | 'booting' // forked, loading the app and running its init
  | 'ready' // serving traffic
  | 'draining' // told to stop: finishing in-flight requests, accepting no new ones
  | 'killed'; // sent SIGKILL (hung past `timeout`, or past the graceful deadline)

/** Why a worker left the pool; the label of the restarts counter. */
export type ExitCause = 'crash' | 'timeout' | 'recycle' | 'scale-down' | 'reload' | 'shutdown' | 'boot-failure';

/** Why a worker asks to be replaced. */
export type RecycleReason = 'max-requests' | 'max-memory' | 'max-lifetime';

/** Counters a worker reports with every heartbeat; cumulative since the worker started. */
export interface WorkerLoad {
  /** Requests finished. */
  requests: number;
  /** Requests in flight right now. */
  inFlight: number;
  /** Event-loop utilisation (0..1) over the last heartbeat interval. */
  elu: number;
  /** Resident set size in bytes. */
  rss: number;
  /** Open WebSockets (and other upgraded connections) right now. */
  webSockets?: number;
  /** Streamed responses (text/event-stream) in flight right now. */
  streams?: number;
}

/** Messages a worker sends to the master. */
export type WorkerMessage =
  /** The app loaded and its `init` finished: the worker may be counted as serving. */
  | { type: 'ready' }
  /** Sent from the event loop every `heartbeatInterval`; silence past `timeout` means hung. */
  | { type: 'heartbeat'; load: WorkerLoad; metrics?: unknown }
  /** The app could not be loaded; the master stops instead of looping (gunicorn exit 4). */
  | { type: 'boot-failed'; code: string; message: string }
  /** The worker reached a recycling limit and asks for a replacement before it drains. */
  | { type: 'recycle'; reason: RecycleReason }
  /** Sticky strategy: the connection handed over as `id` is the worker's now (the master closes its copy). */
  | { type: 'connection-taken'; id: number }
  /** Sticky strategy: this worker answered the handshake that opened session `sid` (socket.io/engine.io). */
  | { type: 'session'; sid: string };

/** Messages the master sends to a worker. */
export type MasterMessage =
  /** Stop taking new connections, finish in-flight requests within `deadlineMs`, then exit 0. */
  | { type: 'drain'; deadlineMs: number }
  /** Reopen log files (USR1). */
  | { type: 'reopen-logs' }
  /**
   * Sticky strategy: a client connection, sent with its socket as the IPC handle. `head` (base64)
   * holds the bytes the master read from it to pick this worker; the worker serves them first.
   */
  | { type: 'connection'; id: number; head: string };

/** One row of the status page: a worker as the master last saw it. */
export interface WorkerStatus extends WorkerLoad {
  /** Worker number, unique for the life of the master (gunicorn's worker age); `ctx.workerId` in the app. */
  id: number;
  pid: number;
  state: WorkerState;
  /** Epoch milliseconds when the worker was forked. */
  startedAt: number;
  /** Milliseconds since the last heartbeat. */
  lastSeenMs: number;
  /** Reload generation the worker belongs to (incremented by HUP). */
  generation: number;
}

/** GET /status on the admin listener. */
export interface PoolStatus {
  master: { pid: number; startedAt: number; version: string };
  /** How many serving workers the master is steering towards. */
  target: number;
  minWorkers: number;
  maxWorkers: number;
  /** True from the moment a TERM/INT/QUIT arrives. */
  draining: boolean;
  workers: WorkerStatus[];
  restarts: Partial<Record<ExitCause, number>>;
}
