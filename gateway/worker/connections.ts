/**
 * Graceful drain of keep-alive connections. Closing an idle keep-alive connection races with a
 * client that is just sending its next request on it (the client sees "other side closed"), so
 * a draining worker does not close idle connections outright: every response from then on says
 * `Connection: close`, which ends busy connections cleanly after their response, and only
 * connections that stayed idle for `idleGraceMs` are closed (a client that has been silent that
 * long is not in the middle of reusing the connection).
 */
import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

interface ConnectionState {
  busy: number;
  lastActive: number;
}

export interface ConnectionTracker {
  /** Stops accepting and ends connections as described above; `onClosed` once none is left. */
  drain(onClosed: () => void): void;
}

export function trackConnections(server: Server, options: { idleGraceMs: number; now?: () => number }): ConnectionTracker {
  const now = options.now ?? (() => performance.now());
  const connections = new Map<Socket, ConnectionState>();
  const pending = new Set<ServerResponse>();
  let draining = false;

  server.on('connection', (socket: Socket) => {
    connections.set(socket, { busy: 0, lastActive: now() });
    socket.once('close', () => connections.delete(socket));
  });
  // Registered before the app's listener, so it sees every request first.
  server.on('request', (req, res: ServerResponse) => {
    const state = connections.get(req.socket);
    if (state) state.busy += 1;
    if (draining) res.shouldKeepAlive = false;
    pending.add(res);
    res.once('close', () => {
      pending.delete(res);
      if (state) {
        state.busy -= 1;
        state.lastActive = now();
      }
    });
  });

  return {
    drain(onClosed) {
      if (draining) return;
      draining = true;
      // Responses still being computed will close their connection too.
      for (const res of pending) if (!res.headersSent) res.shouldKeepAlive = false;
      // http.Server#close() also closes every idle connection at once (Node >= 19), which is the
      // race described above; net.Server#close() only stops accepting and calls back when the last
      // connection has ended.
      NetServer.prototype.close.call(server, () => onClosed());
      const sweep = setInterval(() => {
        const t = now();
        for (const [socket, state] of connections) {
          if (state.busy === 0 && t - state.lastActive >= options.idleGraceMs) socket.destroy();
        }
        if (connections.size === 0) clearInterval(sweep);
      }, Math.min(100, options.idleGraceMs));
      sweep.unref();
    },
  };
}
