/**
 * The raw-request corpus's app (test/http-corpus): reads the whole body and answers 200 with what
 * it saw, one `key=value` line each, so a case can check what reached the app and what never did.
 */
export default {
  async fetch(request: Request): Promise<Response> {
    const body = await request.arrayBuffer();
    const lines = ['app=fetch', `method=${request.method}`, `url=${request.url}`];
    for (const [name, value] of request.headers) lines.push(`h:${name}=${value}`);
    lines.push(`body=${body.byteLength}`);
    return new Response(`${lines.join('\n')}\n`, { headers: { 'content-type': 'text/plain' } });
  },
};
