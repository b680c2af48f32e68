/**
 * The ceiling for Node here: `node:cluster` forking WORKERS workers that each run a bare
 * `node:http` server with the listener app, round-robin in the primary (Node's default on Linux).
 * No supervision beyond re-forking a worker that dies, which is what a hand-rolled cluster does.
 *
 *   PORT=8000 WORKERS=2 node bench/peers/raw-cluster.ts
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import hello from './hello-listener.ts';

const port = Number(process.env.PORT ?? 8000);
const host = process.env.HOST ?? '127.0.0.1';
const workers = Number(process.env.WORKERS ?? 2);

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
  const server = createServer(hello);
  // Keep-alive longer than nginx's upstream keepalive_timeout (60 s), as the gateway does.
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
}
