/**
 * The sample app: a Hono app, exported as the module's default — a fetch app
 * (`{ fetch(request, ctx) }`) that the gateway's workers host. The gateway passes its per-request
 * context as the 2nd argument of `fetch`, which Hono exposes as `c.env`.
 *
 *   npm start            # behind nginx and the gateway (the production layout)
 *   npm run dev          # one process with reload, for development
 */
import { Hono } from 'hono';
import { api } from './api.ts';
import { live } from './live.ts';
import { whoAnswered, type AppEnv } from './context.ts';
import { assetUrls, loadManifest } from './manifest.ts';
import { renderHomePage } from './page.ts';

const asset = assetUrls(loadManifest());

const app = new Hono<AppEnv>();

app.get('/', (c) => {
  const { workerId, pid } = whoAnswered(c);
  // The HTML names assets by content hash, so the page itself must never be cached for long.
  c.header('Cache-Control', 'no-cache');
  return c.html(renderHomePage({ asset, workerId, pid }));
});

app.route('/api', api);
app.route('/live', live);

app.notFound((c) => c.json({ error: 'not found', path: c.req.path }, 404));

app.onError((error, c) => {
  console.error(error);
  return c.json({ error: 'internal error' }, 500);
});

export default app;
