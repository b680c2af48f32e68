/**
 * socket.io-client sessions for the sticky suites: each client connects, asks which worker serves
 * it, and records every error or disconnect it sees (a 400 "Session ID unknown" shows up here as a
 * transport error).
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

export interface Client {
  socket: Socket;
  /** The worker id that answered `whoami` after connecting. */
  worker: number;
  problems: string[];
}

type Options = Partial<ManagerOptions & SocketOptions>;

/** Opens `count` sessions at once (default transports unless `options` says otherwise). */
export async function connectClients(url: string, count: number, options: (i: number) => Options): Promise<Client[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const socket = io(url, { forceNew: true, ...options(i) });
      const client: Client = { socket, worker: 0, problems: [] };
      socket.on('connect_error', (error) => client.problems.push(`connect_error: ${error.message}`));
      socket.on('disconnect', (reason) => client.problems.push(`disconnect: ${reason}`));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        if (options(i).reconnection === false) socket.once('connect_error', reject);
      });
      client.worker = (await socket.timeout(10_000).emitWithAck('whoami')) as number;
      return client;
    }),
  );
}
