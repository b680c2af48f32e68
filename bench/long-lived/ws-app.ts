/**
 * The handler both sides of the long-lived benchmark run: `ws` echo on /ws and an event stream on
 * /sse, attached to one http.Server. The gateway hosts the exported server; the bare cluster
 * (bare-cluster.ts) calls listen() on it in each worker.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer((req, res) => {
  if (req.url === '/sse') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('data: first\n\n');
    setTimeout(() => res.end('data: last\n\n'), 10);
    return;
  }
  res.end('ok');
});
new WebSocketServer({ server, path: '/ws' }).on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
export default server;
