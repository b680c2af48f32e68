/**
 * Answers the gateway gives itself (404, 413, 500, 504), written straight to Node's response,
 * and the two guards that go with them: the streamed-body limit and the muting of an app that
 * keeps writing after the deadline answered for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A short plain-text answer; `close` asks the client to drop the connection (unread body). */
export function respondDirect(res: ServerResponse, status: number, text: string, close = false): void {
  if (res.headersSent || res.writableEnded) return;
  // Headers the app set before it failed do not belong on the gateway's answer.
  for (const name of res.getHeaderNames()) if (name !== 'x-request-id') res.removeHeader(name);
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  if (close) res.setHeader('connection', 'close');
  res.end(text);
}

/**
 * Enforces `maxBodyBytes` on a chunked body (a Content-Length body is checked up front). It wraps
 * this request's `push`, through which the HTTP parser hands body chunks to the stream, so the
 * app's own way of reading (events, pipes, web streams) is left untouched. Past the limit: 413,
 * nothing more reaches the app, and the connection closes.
 */
export function limitChunkedBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  const push = req.push;
  let seen = 0;
  req.push = function pushWithinLimit(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (seen < 0) return false;
    if (chunk !== null && chunk !== undefined) {
      seen += (chunk as Buffer).length;
      if (seen > maxBytes) {
        seen = -1;
        if (res.headersSent) res.destroy();
        else respondDirect(res, 413, 'Payload Too Large', true);
        return false;
      }
    }
    return push.call(this, chunk, encoding);
  };
}

/**
 * After the gateway answered 504 for a Node listener, the app may still write: make those writes
 * no-ops, so a late `res.send()` neither throws ERR_HTTP_HEADERS_SENT into the app nor kills the
 * worker.
 */
export function silenceLateWrites(res: ServerResponse): void {
  const self = res as unknown as Record<string, unknown>;
  self.setHeader = () => res;
  self.writeHead = () => res;
  self.write = () => true;
  self.end = () => res;
  self.flushHeaders = () => undefined;
  res.on('error', () => undefined);
}
