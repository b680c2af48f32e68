/** PM2's fault-scenario app: each cluster worker serves fault-listener.ts on PORT. */
import { createServer } from 'node:http';
import faultListener from './fault-listener.ts';

const server = createServer(faultListener);
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1');
// PM2 stops a worker with SIGINT: close the listener and let in-flight requests finish.
process.on('SIGINT', () => server.close(() => process.exit(0)));
