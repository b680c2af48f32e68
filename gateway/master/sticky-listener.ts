/**
 * The sticky listen strategy's sockets (what `setupMaster()` of @socket.io/sticky does, written for
 * this master): the master owns the listening socket, reads the first line of each new connection,
 * asks the StickyRouter which worker it belongs to, and hands the socket over IPC to that worker
 * with the bytes it read. Workers report the sessions they open (`session`), or the app reports
 * them itself through @socket.io/sticky's `setupWorker(io)`.
 *
 * Why the handoff keeps the master's copy until the worker says it has the socket: with Node's
 * default (`keepOpen: false`) the master's copy waits for the child's internal ACK, and when the
 * child dies first it is never closed: the client hangs for ever (measured on Node 24.21, the same
 * failure as round-robin's RoundRobinHandle, docs/listen-strategies.md). Here the master closes its
 * copy on the worker's `connection-taken`, and a worker that exits before sending it has its
 * connections handed to another worker, which serves them as if nothing happened.
 */
import type { Worker } from 'node:cluster';
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.ts';
import type { MasterMessage, WorkerMessage } from '../protocol.ts';
import { splitHostPort, unixSocketPath } from '../settings/address.ts';
import { StickyRouter } from './sticky-router.ts';

/** A request line longer than this is routed on what has arrived. */
const MAX_HEAD_BYTES = 8192;

export interface StickyOptions {
  bind: string;
  /** Path prefix routed by session id (setting `stickyPath`). */
  path: string;
  socketMode: string;
  /** A connection that sends no request line within this long is closed (setting `headersTimeout`). */
  headersTimeoutMs: number;
  log: Logger;
}

export interface StickyListener {
  /** A worker was forked: route to it once it reports ready. */
  attach(worker: Worker): void;
  /** The master told the worker to drain. */
  retire(worker: Worker): void;
  close(): Promise<void>;
  readonly server: Server;
}

interface Handoff {
  socket: Socket;
  head: Buffer;
  worker: Worker;
}

/** @socket.io/sticky's `setupWorker(io)` messages: the app names its sessions itself. */
type AppStickyMessage = { type: 'sticky:connection' | 'sticky:disconnection'; data: string };

/**
 * Stops the master's copy from reading, so every byte after `head` reaches the worker. Node's
 * pause() does not stop the handle, and its stream would restart it on the next tick (maybeReadMore).
 */
function stopReading(socket: Socket): void {
  socket.pause();
  socket._read = () => {};
  (socket as Socket & { _handle?: { readStop?: () => number; reading?: boolean } | null })._handle?.readStop?.();
}

/** Binds the master's listening socket and starts routing. */
export async function listenSticky(options: StickyOptions): Promise<StickyListener> {
  const { log } = options;
  const router = new StickyRouter<Worker>({ path: options.path });
  const handoffs = new Map<number, Handoff>();
  const waiting = new Set<{ socket: Socket; head: Buffer }>();
  let nextId = 1;

  function handOff(worker: Worker, socket: Socket, head: Buffer): void {
    const id = nextId++;
    handoffs.set(id, { socket, head, worker });
    const message: MasterMessage = { type: 'connection', id, head: head.toString('base64') };
    worker.send(message, socket, { keepOpen: true }, (error) => {
      // The channel is closed (the worker is exiting): route nothing more to it, or the retry would
      // pick it again, each failure a tick later, and spin the master.
      if (error) router.remove(worker);
      if (error && handoffs.delete(id)) dispatch(socket, head);
    });
  }

  function dispatch(socket: Socket, head: Buffer): void {
    if (socket.destroyed) return;
    const route = router.route(head.toString('latin1'));
    if (route.kind === 'owner' || route.kind === 'next') {
      if (route.kind === 'next' && route.sid !== undefined) log.debug({ sid: route.sid }, 'sticky: a request names a session no worker owns');
      handOff(route.worker, socket, head);
    } else if (route.kind === 'wait') {
      const entry = { socket, head };
      waiting.add(entry);
      socket.setTimeout(options.headersTimeoutMs, () => socket.destroy());
      socket.once('close', () => waiting.delete(entry));
    } else {
      socket.destroy();
    }
  }

  const server = createServer({ pauseOnConnect: true }, (socket) => {
    // A client that resets before or during the handoff: nothing to do.
    socket.on('error', () => {});
    socket.setTimeout(options.headersTimeoutMs, () => socket.destroy());
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (!chunk.includes(10) && length < MAX_HEAD_BYTES) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      stopReading(socket);
      dispatch(socket, Buffer.concat(chunks, length));
    };
    socket.on('data', onData);
    socket.resume();
  });

  function onMessage(worker: Worker, message: WorkerMessage | AppStickyMessage): void {
    switch (message?.type) {
      case 'ready':
        router.ready(worker);
        for (const entry of [...waiting]) {
          waiting.delete(entry);
          entry.socket.setTimeout(0);
          dispatch(entry.socket, entry.head);
        }
        return;
      case 'connection-taken': {
        const handoff = handoffs.get(message.id);
        handoffs.delete(message.id);
        // Closes only the master's descriptor: the connection lives on in the worker.
        handoff?.socket.destroy();
        return;
      }
      case 'session':
        return router.remember(message.sid, worker);
      case 'sticky:connection':
        return router.remember(message.data, worker);
      case 'sticky:disconnection':
        return router.forget(message.data);
    }
  }

  function onExit(worker: Worker): void {
    router.remove(worker);
    const orphans = [...handoffs].filter(([, h]) => h.worker === worker);
    for (const [id, { socket, head }] of orphans) {
      handoffs.delete(id);
      dispatch(socket, head);
    }
    if (orphans.length > 0) log.warn({ connections: orphans.length }, 'sticky: a worker exited during handoffs; its connections went to another worker');
  }

  const socketPath = unixSocketPath(options.bind);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new GatewayError('BIND_FAILED', `${options.bind}: ${error.code ?? error.message}`)));
    if (socketPath !== undefined) server.listen({ path: socketPath }, resolve);
    else {
      const [host, port] = splitHostPort(options.bind);
      server.listen({ host, port }, resolve);
    }
  });
  if (socketPath !== undefined) chmodSync(socketPath, Number.parseInt(options.socketMode, 8));

  return {
    server,
    attach(worker) {
      router.add(worker);
      worker.on('message', (message: WorkerMessage | AppStickyMessage) => onMessage(worker, message));
      worker.once('disconnect', () => router.remove(worker));
      worker.once('exit', () => onExit(worker));
    },
    retire: (worker) => router.retire(worker),
    close: () =>
      new Promise<void>((resolve) => {
        for (const { socket } of waiting) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
