/**
 * The same unmodified app the gateway adopts, started the way users run it on a bare cluster:
 * `node:cluster` forks WORKERS workers and each imports APP_FILE, which calls listen(PORT) itself
 * (the primary shares the port round-robin, Node's default on Linux). No supervision beyond
 * re-forking a worker that dies.
 *
 *   PORT=8000 WORKERS=2 APP_FILE=run/frameworks/listeners/fastify.js node bench/peers/own-listen-cluster.ts
 */
import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const workers = Number(process.env.WORKERS ?? 2);

if (cluster.isPrimary) {
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', () => {
    if (!stopping) cluster.fork();
  });
  process.on('SIGTERM', () => {
    stopping = true;
    cluster.disconnect(() => process.exit(0));
  });
} else {
  await import(pathToFileURL(resolve(process.env.APP_FILE ?? '')).href);
}
