/**
 * The reference: bench/long-lived/ws-app.ts on a bare node:cluster, WORKERS workers on PORT.
 *   node bench/long-lived/bare-cluster.ts PORT WORKERS
 */
import cluster from 'node:cluster';

const [port = '8000', workers = '1'] = process.argv.slice(2);
if (cluster.isPrimary) {
  for (let i = 0; i < Number(workers); i += 1) cluster.fork();
  process.on('SIGTERM', () => process.exit(0));
} else {
  const { default: server } = await import('./ws-app.ts');
  server.listen(Number(port), '127.0.0.1');
}
