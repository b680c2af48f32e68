/**
 * The PM2 contender's app: PM2 cluster mode imports this file in each worker (PM2 shares the port
 * through node:cluster), so it only creates the server with the same listener app.
 */
import { createServer } from 'node:http';
import hello from './hello-listener.ts';

const server = createServer(hello);
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1');
