/**
 * Graceful drain of keep-alive connections. Closing an idle keep-alive connection races with a
 * client that is just sending its next request on it (the client sees "other side closed"), so
 * a draining worker does not close idle connections outright: every response from then on says
 * `Connection: close`, which ends busy connections cleanly after their response, and only
 * connections seen idle, with no new request, for `idleGraceMs` are closed (a client that has
 * been silent that long is not in the middle of reusing the connection).
 *
 * The request path pays two counter updates per request (`requestStarted`/`requestFinished`,
 * called by the worker's request observer): no listener, closure or clock read of its own, which
 * a profile showed costing more than the rest of the drain machinery together.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

interface ConnectionState {
  /** Requests on this connection that have not finished. */
  busy: number;
  /** Requests started on it so far: a change between two sweeps means it was not idle. */
  started: number;
  /** The latest response on it: the one a drain turns into `Connection: close`. */
  latest: ServerResponse | undefined;
  /** While draining: when a sweep first saw it idle, and its `started` count then. */
  idleSince: number | undefined;
  startedAtIdle: number;
}

const kState: unique symbol = Symbol('gateway.connection');
type TrackedSocket = Socket & { [kState]?: ConnectionState };

export interface ConnectionTracker {
  /** A request arrived (before the app sees it). */
  requestStarted(req: IncomingMessage, res: ServerResponse): void;
  /** Its response is complete, or the client went away. */
  requestFinished(req: IncomingMessage): void;
  /** The connection was handed to an app as an upgrade: no longer HTTP, never swept as idle. */
  upgraded(socket: Duplex): void;
  /** Responses in flight that are event streams (`text/event-stream`). */
  streams(): ServerResponse[];
  /** Stops accepting and ends connections as described above; `onClosed` once none is left. */
  drain(onClosed: () => void): void;
}

/** The head Node wrote (it keeps it as `_header` once sent, however the app set the headers). */
function isEventStream(res: ServerResponse): boolean {
  const head = (res as ServerResponse & { _header?: string | null })._header;
  return typeof head === 'string' && /\r\ncontent-type: *text\/event-stream/i.test(head);
}

export function trackConnections(
  server: Server,
  options: {
    idleGraceMs: number;
    now?: () => number;
    /**
     * Stops taking connections; `onClosed` once the last one has ended. Default: net.Server#close()
     * (http.Server#close() also closes every idle connection at once (Node >= 19), which is the race
     * described above; net.Server#close() only stops accepting and calls back when the last
     * connection has ended).
     */
    stopAccepting?: (onClosed: () => void) => void;
  },
): ConnectionTracker {
  const stopAccepting = options.stopAccepting ?? ((onClosed: () => void) => void NetServer.prototype.close.call(server, () => onClosed()));
  const now = options.now ?? (() => performance.now());
  const connections = new Set<TrackedSocket>();
  let draining = false;

  server.on('connection', (socket: TrackedSocket) => {
    socket[kState] = { busy: 0, started: 0, latest: undefined, idleSince: undefined, startedAtIdle: 0 };
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  function sweep(): void {
    const t = now();
    for (const socket of connections) {
      const state = socket[kState]!;
      if (state.busy > 0) continue;
      if (state.idleSince === undefined || state.started !== state.startedAtIdle) {
        state.idleSince = t;
        state.startedAtIdle = state.started;
      } else if (t - state.idleSince >= options.idleGraceMs) socket.destroy();
    }
  }

  return {
    requestStarted(req, res) {
      const state = (req.socket as TrackedSocket)[kState];
      if (state) {
        state.busy += 1;
        state.started += 1;
        state.latest = res;
      }
      if (draining) res.shouldKeepAlive = false;
    },
    requestFinished(req) {
      const state = (req.socket as TrackedSocket | null)?.[kState];
      if (state) {
        state.busy -= 1;
        if (state.latest?.req === req) state.latest = undefined;
      }
    },
    streams() {
      const found: ServerResponse[] = [];
      for (const socket of connections) {
        const { busy, latest } = socket[kState]!;
        if (busy > 0 && latest && isEventStream(latest)) found.push(latest);
      }
      return found;
    },
    upgraded(socket) {
      connections.delete(socket as TrackedSocket);
    },
    drain(onClosed) {
      if (draining) return;
      draining = true;
      // Responses still being computed will close their connection too (for pipelined requests,
      // the last one, so the ones before it are still answered on the same connection).
      for (const socket of connections) {
        const latest = socket[kState]!.latest;
        if (latest && !latest.headersSent) latest.shouldKeepAlive = false;
      }
      stopAccepting(onClosed);
      sweep();
      const timer = setInterval(() => {
        sweep();
        if (connections.size === 0) clearInterval(timer);
      }, Math.min(100, options.idleGraceMs));
      timer.unref();
    },
  };
}
