/**
 * The WebSocket fault scenario's app: `ws` on its own http.Server, exported for the gateway (PM2's
 * workers listen on it in pm2-fault-ws.ts). On /ws, `who` answers `pid=N` (the worker holding the
 * socket); anything else is echoed. `/` answers `ok`, for readiness.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer((_req, res) => res.end('ok\n'));
new WebSocketServer({ server, path: '/ws', perMessageDeflate: false }).on('connection', (ws) => {
  ws.on('message', (data) => ws.send(data.toString() === 'who' ? `pid=${process.pid}` : data));
});
export default server;
