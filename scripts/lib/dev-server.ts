/**
 * The process `npm run dev` runs (and restarts on change): builds the static files, then serves
 * them and the app from one process. No nginx, no worker pool: a development server only.
 *
 *   node scripts/lib/dev-server.ts HOST PORT
 */
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { WebSocketServer } from 'ws';
import { relative, resolve } from 'node:path';
import { buildStatic, DIST } from '../../app/build.ts';

const [host = '127.0.0.1', port = '8000'] = process.argv.slice(2);

await buildStatic();
// Imported after the build, so the app reads the fresh manifest.
const { default: app } = await import('../../app/server.ts');

const server = new Hono();
// The same URLs nginx serves in production; serveStatic's root is relative to the working folder.
server.use('/static/*', serveStatic({ root: relative(process.cwd(), resolve(DIST)) }));
// The adapter's env object goes on to the app (with the fields the gateway would add): its
// upgradeWebSocket reads and marks that very object.
server.all('*', (c) => app.fetch(c.req.raw, Object.assign(c.env as object, { workerId: 0, signal: c.req.raw.signal })));

serve({ fetch: server.fetch, hostname: host, port: Number(port), websocket: { server: new WebSocketServer({ noServer: true }) } }, (info) => {
  console.error(`[dev] serving http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}/`);
});
