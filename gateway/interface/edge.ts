/**
 * The HTTP edge cases Node's parser lets through, settled before any app or middleware sees the
 * request (RFC 9112 §3.2, RFC 9110 §7.2). Behind nginx none of this triggers: nginx sends
 * origin-form targets and one valid Host. Hit directly, the gateway answers as the RFCs say
 * instead of letting the fetch adapter fail inside the app (a 500 for a target with userinfo).
 *
 * - absolute-form (`GET http://host/p`): the target's authority replaces Host (§3.2.2) and the
 *   request continues in origin-form, so mounts, `ctx.host` and `request.url` agree;
 * - userinfo in the target (`http://user:pass@host/`): 400 (RFC 9110 §4.2.4 says to treat it as an
 *   error; dropping it silently would hide credentials a client leaked);
 * - asterisk-form: `OPTIONS *` is answered by the gateway (200, no body); any other method, 400;
 * - Host: more than one, or a value that is no `host[:port]`, 400 (§3.2); none in HTTP/1.0, the
 *   server's own address stands in (as gunicorn's SERVER_NAME). HTTP/1.1 without Host never gets
 *   here: Node's parser answers 400 itself (`requireHostHeader`);
 * - an HTTP major version above 1 on an HTTP/1 connection: 505; a request line without a version
 *   (which Node reads as HTTP/0.9): 400.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** What the gateway answers itself; `close` ends the connection (the client may be confused). */
export interface EdgeAnswer {
  status: number;
  text: string;
  /** Why, for the warn line; undefined for answers that are not refusals (`OPTIONS *`). */
  reason?: string;
}

let lastGoodHost: string | undefined;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]*)?$/;
const ABSOLUTE = /^https?:\/\//i;

const refuse = (reason: string, status = 400): EdgeAnswer => ({ status, text: status === 505 ? 'HTTP Version Not Supported' : 'Bad Request', reason });

/** Counts Host lines in the raw headers: Node keeps the first and drops the rest silently. */
function hostLines(raw: string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // The exact spellings first: lowercasing every four-letter name cost more than the rest of the check.
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host')) count += 1;
  }
  return count;
}

/** The listening socket's own address as a Host value, for HTTP/1.0 requests without one. */
export function serverName(req: IncomingMessage): string {
  const address = req.socket.localAddress;
  // A unix socket (--bind unix:PATH) has no address to name.
  if (!address) return 'localhost';
  const plain = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return `${plain.includes(':') ? `[${plain}]` : plain}:${req.socket.localPort ?? 80}`;
}

/** Rewrites an absolute-form target to origin-form with its authority as Host; an answer if it cannot. */
function fromAbsoluteForm(req: IncomingMessage, target: string): EdgeAnswer | undefined {
  const start = target.indexOf('//') + 2;
  let end = start;
  while (end < target.length && target[end] !== '/' && target[end] !== '?' && target[end] !== '#') end += 1;
  const authority = target.slice(start, end);
  if (authority.includes('@')) return refuse(`userinfo in the request target ${target.slice(0, start)}…@${authority.slice(authority.lastIndexOf('@') + 1)}`);
  if (!HOST.test(authority)) return refuse(`the request target's authority "${authority}" is not host[:port]`);
  const rest = target.slice(end);
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
  req.headers.host = authority;
  return undefined;
}

/**
 * Checks (and for absolute-form, rewrites) one request; undefined means "serve it". Cheap for what
 * nginx sends: one character test, one regex on Host and a walk over the raw header names.
 */
export function checkEdge(req: IncomingMessage): EdgeAnswer | undefined {
  if (req.httpVersionMajor !== 1) {
    // Node reads a request line without a version as HTTP/0.9: a malformed line, not a version to decline.
    return req.httpVersionMajor === 0 ? refuse('an HTTP/0.9 request line (no version)') : refuse(`HTTP version ${req.httpVersion}`, 505);
  }
  const hosts = hostLines(req.rawHeaders);
  if (hosts > 1) return refuse(`${hosts} Host header lines`);
  const target = req.url ?? '';
  if (target.charCodeAt(0) !== 47 /* '/' */) {
    if (target === '*') return req.method === 'OPTIONS' ? { status: 200, text: '' } : refuse(`asterisk-form target with ${req.method}`);
    if (!ABSOLUTE.test(target)) return refuse(`request target "${target.slice(0, 100)}" is neither a path nor an http(s) URL`);
    return fromAbsoluteForm(req, target);
  }
  const host = req.headers.host;
  if (host === undefined) {
    // Node's parser already refused HTTP/1.1 without Host; HTTP/1.0 does not require one.
    req.headers.host = serverName(req);
    return undefined;
  }
  // Behind a proxy most requests repeat the previous Host: skip the regex for it.
  if (host === lastGoodHost) return undefined;
  if (!HOST.test(host)) return refuse(`Host header "${host.slice(0, 100)}"`);
  lastGoodHost = host;
  return undefined;
}

/**
 * For the server's 'connect' event. Without a listener Node destroys the socket of a CONNECT
 * request without a word; the gateway is no proxy, so it says so (501) and closes.
 */
export function refuseConnect(warn: (fields: object, message: string) => void): (req: IncomingMessage, socket: Duplex) => void {
  return (req, socket) => {
    warn({ client: req.socket.remoteAddress }, `refused with 501: CONNECT ${(req.url ?? '').slice(0, 100)} (the gateway is not a proxy)`);
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 15\r\nConnection: close\r\n\r\nNot Implemented');
  };
}

/**
 * Trailer fields that would change how the request is framed, routed, authorised or read if a
 * server merged them into the header section (RFC 9110 §6.5.1). Node never merges trailers and
 * fetch apps never see them; Node listeners read `req.trailers`, where these do not belong either.
 */
const FORBIDDEN_TRAILERS = new Set([
  'host', 'content-length', 'transfer-encoding', 'trailer', 'te', 'connection', 'keep-alive', 'upgrade', 'expect',
  'content-type', 'content-encoding', 'content-range', 'range', 'authorization', 'proxy-authorization', 'cookie',
  'set-cookie', 'cache-control', 'max-forwards', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since',
  'if-range', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id',
]);

type TrailerSink = IncomingMessage & { _addHeaderLines(lines: string[], count: number): void };

/**
 * Drops forbidden trailer fields of a chunked request (gunicorn ≥ 22 refuses the request; by the
 * time the trailer arrives the app may have answered, so dropping is what can always be done).
 * It wraps this request's `_addHeaderLines`, through which Node's parser hands over the trailer
 * right before the body's end, as `limitChunkedBody` wraps `push`.
 */
export function dropForbiddenTrailers(req: IncomingMessage, warn: (fields: object, message: string) => void): void {
  const sink = req as TrailerSink;
  const add = sink._addHeaderLines;
  if (typeof add !== 'function') return;
  sink._addHeaderLines = function addAllowedLines(this: TrailerSink, lines: string[], count: number): void {
    if (!this.complete || !Array.isArray(lines)) return add.call(this, lines, count);
    const kept: string[] = [];
    const dropped: string[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const name = lines[i]!;
      if (FORBIDDEN_TRAILERS.has(name.toLowerCase())) dropped.push(name);
      else kept.push(name, lines[i + 1]!);
    }
    if (dropped.length > 0) warn({}, `dropped trailer field(s) ${dropped.join(', ')}: not allowed in a trailer (RFC 9110 §6.5.1)`);
    add.call(this, kept, kept.length);
  };
}
