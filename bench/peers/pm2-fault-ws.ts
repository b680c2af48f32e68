/** PM2's WebSocket fault app: each cluster worker listens on PORT with fault-ws.ts's server. */
import server from './fault-ws.ts';

server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1');
// PM2 stops a worker with SIGINT. server.close() would wait for every WebSocket to end, which none
// does by itself: leave at once (only the kill scenario runs this app).
process.on('SIGINT', () => process.exit(0));
