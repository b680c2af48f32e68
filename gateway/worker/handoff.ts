/**
 * A worker's side of the sticky listen strategy. The master hands over client connections it
 * accepted; each goes into the worker's own `http.Server` as if that server had accepted it, so it
 * takes the gateway's whole request path (request ids, limits, metrics, drain). On the sticky path
 * (socket.io's `/socket.io/`) the worker also:
 * - tells the master which sessions it opens: an engine.io handshake's response (`0{"sid":"…"`)
 *   leaves only once the master has heard its `sid`, so the client's next request, which names it,
 *   cannot reach the master before the master knows where it goes. No change to the app.
 * - closes the connection after each response, so every request of a session arrives on a fresh
 *   connection, which the master routes by its sid (a client's pooled keep-alive connection may
 *   have been routed for another session or for none).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface HandoffOptions {
  /** Path prefix of the sessions (setting `stickyPath`). */
  path: string;
  /** Tells the master that this worker owns `sid`; `sent` runs once the message has left. */
  report(sid: string, sent: () => void): void;
}

export interface Handoffs {
  /** Serves a connection the master handed over; `head` is what the master read from it. */
  accept(socket: Socket, head: Buffer): void;
  /** Called for every request before the app sees it. */
  observe(req: IncomingMessage, res: ServerResponse, originalUrl: string): void;
  /** `onClosed` once every handed-over connection has closed (the listening socket's close). */
  close(onClosed: () => void): void;
}

/** The session id in an engine.io handshake's open packet (protocol 4 `0{…}`, 3 `96:0{…}`). */
export function handshakeSessionId(body: unknown): string | undefined {
  const text = typeof body === 'string' ? body.slice(0, 512) : Buffer.isBuffer(body) ? body.toString('latin1', 0, 512) : '';
  return /^(?:\d+:)?0\{"sid":"([^"\\]+)"/.exec(text)?.[1];
}

/** A handshake: an engine.io request (`EIO=`) that names no session yet. */
function isHandshake(url: string): boolean {
  const query = url.slice(url.indexOf('?') + 1);
  return /(?:^|&)EIO=/.test(query) && !/(?:^|&)sid=/.test(query);
}

/** Holds back the response's end until the master has heard of the session it opens. */
function reportOnEnd(res: ServerResponse, report: HandoffOptions['report']): void {
  const end = res.end;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    res.end = end;
    const sid = handshakeSessionId(args[0]);
    if (sid === undefined) return end.apply(this, args as Parameters<typeof end>);
    report(sid, () => end.apply(this, args as Parameters<typeof end>));
    return this;
  } as typeof res.end;
}

export function acceptHandoffs(server: Server, options: HandoffOptions): Handoffs {
  const open = new Set<Socket>();
  let onClosed: (() => void) | undefined;
  const closedIfEmpty = () => {
    if (onClosed && open.size === 0) {
      const done = onClosed;
      onClosed = undefined;
      done();
    }
  };
  return {
    accept(socket, head) {
      open.add(socket);
      socket.once('close', () => {
        open.delete(socket);
        closedIfEmpty();
      });
      server.emit('connection', socket);
      // Read before anything the socket receives from now on: the parser sees the request whole.
      socket.unshift(head);
    },
    observe(req, res, originalUrl) {
      if (!originalUrl.startsWith(options.path)) return;
      res.shouldKeepAlive = false;
      if (req.method === 'GET' && isHandshake(originalUrl)) reportOnEnd(res, options.report);
    },
    close(callback) {
      onClosed = callback;
      closedIfEmpty();
    },
  };
}
