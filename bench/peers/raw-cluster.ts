/**
 * The ceiling for Node here: `node:cluster` forking WORKERS workers that each run a bare
 * `node:http` server, round-robin in the primary (Node's default on Linux). No supervision beyond
 * re-forking a worker that dies, which is what a hand-rolled cluster does.
 *
 * APP=listener (the default) serves the Node listener app; APP=fetch serves the fetch app through
 * the same adapter the gateway uses (@hono/node-server), so a fetch app on the gateway is compared
 * with the same fetch app on a bare cluster: same work, only the gateway's own share differs.
 *
 *   PORT=8000 WORKERS=2 [APP=fetch] node bench/peers/raw-cluster.ts
 */
import cluster from 'node:cluster';
import { createServer, type RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import helloApp from './hello-app.ts';
import hello from './hello-listener.ts';

const port = Number(process.env.PORT ?? 8000);
const host = process.env.HOST ?? '127.0.0.1';
const workers = Number(process.env.WORKERS ?? 2);
const listener: RequestListener = process.env.APP === 'fetch' ? (getRequestListener(helloApp.fetch) as RequestListener) : hello;

if (cluster.isPrimary) {
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', () => {
    if (!stopping) cluster.fork();
  });
  process.on('SIGTERM', () => {
    stopping = true;
    // disconnect() closes each worker's server and lets in-flight requests finish.
    cluster.disconnect(() => process.exit(0));
  });
} else {
  const server = createServer(listener);
  // Keep-alive longer than nginx's upstream keepalive_timeout (60 s), as the gateway does.
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
}
