/**
 * The fault scenarios' app as a Node listener (for PM2 and the raw cluster); fault-app.ts is its
 * fetch twin for the gateway and fault_wsgi.py its WSGI twin for gunicorn. Every answer names the
 * worker process in `x-worker-pid`, so a scenario can tell who served what.
 *   GET /            200 "ok"
 *   GET /slow?ms=N   200 after N ms (an in-flight request a shutdown must not drop)
 *   GET /block       blocks the event loop for good (a hung worker)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export default function faultListener(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const answer = (): void => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-worker-pid': String(process.pid) }).end('ok\n');
  };
  if (url.pathname === '/block') {
    for (;;) {
      // Spin: nothing in this process runs again, heartbeats included.
    }
  }
  if (url.pathname === '/slow') {
    setTimeout(answer, Number(url.searchParams.get('ms') ?? 500));
    return;
  }
  req.resume();
  answer();
}
