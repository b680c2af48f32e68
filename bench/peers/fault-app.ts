/**
 * The fault scenarios' app as a fetch app for the gateway: the same routes and answers as
 * fault-listener.ts (`/`, `/slow?ms=N`, `/block`), each naming its worker in `x-worker-pid`.
 */
const headers = (): HeadersInit => ({ 'content-type': 'text/plain', 'x-worker-pid': String(process.pid) });

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/block') {
      for (;;) {
        // Spin: nothing in this worker runs again, heartbeats included.
      }
    }
    if (url.pathname === '/slow') {
      await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get('ms') ?? 500)));
    }
    return new Response('ok\n', { headers: headers() });
  },
};
