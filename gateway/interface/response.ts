/**
 * The gateway's X-Request-Id response header, added as the head is written instead of with a
 * `setHeader()` when the request arrives.
 *
 * Why: once any header was set through `setHeader()`, Node's `writeHead(status, headers)` takes
 * its slow path and sets every header of the object again, one by one. Frameworks and the fetch
 * adapter answer with `writeHead(status, headers)`, so an up-front `setHeader()` made every
 * response pay that merge (about 1 µs a request in a CPU profile of a worker under load).
 *
 * The hook is an own `writeHead` on the response rather than a ServerResponse subclass, because
 * Express swaps the prototype of every response for its own (which inherits from Node's, not
 * ours). Middleware that wraps `res.writeHead` (on-headers and the like) wraps this one in turn.
 *
 * The app still wins: an X-Request-Id it sets (in any letter case, through `setHeader()` or in the
 * headers it gives `writeHead()`) is the one sent.
 */
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';

const NAME = 'x-request-id';
const kRequestId: unique symbol = Symbol('gateway.requestId');

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;
type TaggedResponse = ServerResponse & { [kRequestId]?: string };

function namesRequestId(name: unknown): boolean {
  return typeof name === 'string' && name.length === NAME.length && name.toLowerCase() === NAME;
}

/** `headers` as given to writeHead, plus X-Request-Id unless the app already chose one. */
function withRequestId(res: ServerResponse, headers: Headers, id: string): Headers {
  if (res.hasHeader(NAME)) return headers;
  if (headers === undefined || headers === null) {
    res.setHeader(NAME, id);
    return headers;
  }
  if (Array.isArray(headers)) {
    // writeHead's flat form: [name, value, name, value, …]
    for (let i = 0; i < headers.length; i += 2) if (namesRequestId(headers[i])) return headers;
    return [...headers, NAME, id];
  }
  for (const name in headers) if (namesRequestId(name)) return headers;
  // A copy: apps often pass one shared constant object for every response.
  return { ...headers, [NAME]: id };
}

/** One function for every response (no closure per request); `this` is the response. */
function writeHeadWithRequestId(this: TaggedResponse, statusCode: number, reason?: string | Headers, headers?: Headers): ServerResponse {
  const id = this[kRequestId];
  if (id !== undefined) {
    this[kRequestId] = undefined;
    if (typeof reason === 'string') headers = withRequestId(this, headers, id);
    else reason = withRequestId(this, reason, id);
  }
  // The prototype's writeHead: Node's, or a framework's that overrides it.
  const { writeHead } = Object.getPrototypeOf(this) as { writeHead: (this: ServerResponse, ...args: unknown[]) => ServerResponse };
  return writeHead.call(this, statusCode, reason, headers);
}

/** Sends `id` as the response's X-Request-Id unless the app sets its own. */
export function setRequestId(res: ServerResponse, id: string): void {
  const tagged = res as TaggedResponse;
  tagged[kRequestId] = id;
  tagged.writeHead = writeHeadWithRequestId as ServerResponse['writeHead'];
}
