/**
 * The connections a worker handed to an app as upgrades (WebSockets), kept for what only the
 * server can do whatever library the app uses (ws, Hono's helper, socket.io's engine):
 *  - heartbeats: a WebSocket that sent nothing since the last sweep (sweeps run every half
 *    interval) gets a ping; one that still sent nothing a full interval after the ping is closed,
 *    so a dead peer goes within two intervals of its last byte (any byte counts as an answer, so
 *    the app's own pings and traffic count too). One timer per worker, not one per socket;
 *  - drain: each WebSocket gets a close frame with `closeCode` (1012 "service restart" by default,
 *    uvicorn's choice), so clients reconnect to another worker; whatever is still open when the
 *    handshake time runs out is destroyed, so a client that ignores the frame cannot hold the worker.
 *
 * Frames are written on the socket directly: server frames are unmasked and libraries write each
 * frame in one corked write, so ours land between theirs.
 */
import type { Duplex } from 'node:stream';

/** A ping with no payload (RFC 6455 §5.5.2). */
const PING = Buffer.from([0x89, 0x00]);

/** A close frame with a status code and a short reason (RFC 6455 §5.5.1). */
export function closeFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason.slice(0, 100));
  const frame = Buffer.alloc(4 + text.length);
  frame[0] = 0x88;
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  return frame;
}

interface Upgraded {
  socket: Duplex & { bytesRead?: number; bytesWritten?: number };
  webSocket: boolean;
  /** bytesRead when a sweep last saw it change, and the sweeps since that found it unchanged. */
  seen: number;
  quiet: number;
  /** bytesWritten when handed over (earlier keep-alive responses on the same connection). */
  writtenBefore: number;
}

export interface UpgradeTracker {
  add(protocol: string, socket: Duplex): void;
  /** Open upgraded connections (WebSockets and others). */
  readonly open: number;
  /** Sends the close frame to every WebSocket; destroys what is left after `handshakeMs`. */
  drain(closeCode: number, handshakeMs: number): void;
  stop(): void;
}

export function trackUpgrades(options: { pingIntervalMs: number }): UpgradeTracker {
  const open = new Set<Upgraded>();
  // Nothing written yet means the app has not answered the handshake (an async fetch, say): a frame
  // of ours would land before its 101 response.
  const answered = (u: Upgraded) => u.webSocket && (u.socket.bytesWritten ?? 0) > u.writtenBefore;
  // Sweeps every half interval. The last byte came after sweep n-1; sweep n sees it, n+1 pings
  // (silent for at least half an interval), n+3 closes (a full interval to answer): under four
  // half intervals after that byte. Sweeping once an interval, as before, took up to three.
  const sweep = () => {
    for (const u of open) {
      if (!answered(u)) continue;
      const read = u.socket.bytesRead ?? 0;
      if (read !== u.seen) {
        u.seen = read;
        u.quiet = 0;
        continue;
      }
      u.quiet += 1;
      if (u.quiet === 1) u.socket.write(PING);
      else if (u.quiet >= 3) u.socket.destroy();
    }
  };
  const timer = options.pingIntervalMs > 0 ? setInterval(sweep, options.pingIntervalMs / 2).unref() : undefined;

  return {
    add(protocol, socket) {
      const tracked = socket as Upgraded['socket'];
      const u: Upgraded = { socket: tracked, webSocket: protocol === 'websocket', seen: tracked.bytesRead ?? 0, quiet: 0, writtenBefore: tracked.bytesWritten ?? 0 };
      open.add(u);
      socket.once('close', () => open.delete(u));
    },
    get open() {
      return open.size;
    },
    drain(closeCode, handshakeMs) {
      const frame = closeFrame(closeCode, closeCode === 1012 ? 'service restart' : 'going away');
      for (const u of open) {
        if (!answered(u) || u.socket.destroyed) continue;
        // The app's library answers the client's close reply and ends the socket itself.
        u.socket.write(frame);
      }
      setTimeout(() => {
        for (const u of open) u.socket.destroy();
      }, handshakeMs).unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
