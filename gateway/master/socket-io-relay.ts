/**
 * The master's relay for socket.io's cluster adapter: what `setupPrimary()` from
 * `@socket.io/cluster-adapter` does, without the master importing socket.io (it runs no app code
 * and carries no app dependency). Workers whose socket.io server uses `createAdapter()` from that
 * package send their adapter messages over IPC; the master forwards each to every other worker, and
 * a response to the worker that asked, so a broadcast reaches clients on every worker.
 */
import type { Cluster, Worker } from 'node:cluster';

/** `MESSAGE_SOURCE` in @socket.io/cluster-adapter. */
const SOURCE = '_sio_adapter';
/** socket.io-adapter's MessageType values for answers to one requester. */
const FETCH_SOCKETS_RESPONSE = 8;
const SERVER_SIDE_EMIT_RESPONSE = 10;

interface AdapterMessage {
  source: string;
  type: number;
  uid: string;
  requesterUid?: string;
}

const isAdapterMessage = (message: unknown): message is AdapterMessage => (message as AdapterMessage | null)?.source === SOURCE;

/** Starts relaying on `cluster` (the master's). */
export function relaySocketIoAdapter(cluster: Cluster): void {
  // The adapter uids each worker announced, so an answer goes to the worker that asked.
  const uids = new WeakMap<Worker, Set<string>>();
  const send = (worker: Worker, message: AdapterMessage) => {
    if (worker.isConnected()) worker.send(message, undefined, () => {});
  };
  cluster.on('message', (from: Worker, message: unknown) => {
    if (!isAdapterMessage(message)) return;
    if (!uids.has(from)) uids.set(from, new Set());
    uids.get(from)!.add(message.uid);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (message.type === FETCH_SOCKETS_RESPONSE || message.type === SERVER_SIDE_EMIT_RESPONSE) {
      const requester = workers.find((w) => message.requesterUid !== undefined && uids.get(w)?.has(message.requesterUid));
      if (requester) send(requester, message);
      return;
    }
    for (const worker of workers) if (worker !== from) send(worker, message);
  });
}
