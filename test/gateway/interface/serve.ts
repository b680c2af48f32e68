/**
 * Hosts an AppSet with createRequestListener on a node:http server on 127.0.0.1, port 0, with the
 * logs captured, for the interface tests (and anyone who wants to run the conformance suite).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createAccessLog } from '../../../gateway/access-log.ts';
import { createRequestListener, type AppSet, type ListenerOptions } from '../../../gateway/interface/index.ts';

/** A running test server. */
export interface Served {
  url: string;
  server: Server;
  /** Every pino line logged so far, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Serves `apps`; `options` override the defaults (worker 1, loopback trusted, no deadline). */
export async function serve(apps: AppSet, options: Partial<ListenerOptions> = {}): Promise<Served> {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const listener = createRequestListener(apps, {
    workerId: 1,
    forwardedAllowIps: ['127.0.0.1', '::1'],
    requestTimeoutMs: 0,
    maxBodyBytes: 8 * 1024 * 1024,
    logger: pino({ level: 'debug' }, sink),
    accessLog: createAccessLog(sink, {}).line,
    ...options,
  });
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
