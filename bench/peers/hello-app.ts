/**
 * The benchmark's app as a fetch app (the gateway interface): the same two answers as
 * hello-listener.ts, written the way a user of the gateway would write them.
 */
import { HELLO, echoOf } from './hello-listener.ts';

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method === 'POST') {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return new Response('bad json\n', { status: 400, headers: { 'content-type': 'text/plain' } });
      }
      return new Response(echoOf(body), { headers: { 'content-type': 'application/json' } });
    }
    return new Response(HELLO, { headers: { 'content-type': 'text/plain' } });
  },
};
