/**
 * Bad input as data (gunicorn's tests/requests/invalid/*.http idea): raw requests and the status
 * each tier must answer. The gateway's column is the contract; nginx's column records how the
 * static tier in front treats the same bytes (it is laxer in places and normalises what it
 * forwards, e.g. bare LF line ends and header lines without a colon, which it drops).
 */

export interface BadRequest {
  name: string;
  /** The raw request, as latin1 text. */
  raw: string;
  /** What the gateway must answer when hit directly. */
  gateway: number;
  /** What the client gets through the rendered nginx config ('closed' = connection closed, no answer). */
  nginx: number | 'closed';
}

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n';
const big = (n: number): string => 'a'.repeat(n);

/** Bodies above this are refused: the limit the suite starts the gateway with (--max-body-size). */
export const BODY_LIMIT = 1024;

export const BAD_REQUESTS: BadRequest[] = [
  { name: 'well-formed GET (control)', raw: `${GET}\r\n`, gateway: 200, nginx: 200 },
  { name: 'request line is garbage', raw: 'GARBAGE\r\n\r\n', gateway: 400, nginx: 400 },
  { name: 'HTTP/0.9 request line', raw: 'GET /\r\n\r\n', gateway: 400, nginx: 'closed' },
  { name: 'unknown HTTP version', raw: 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', gateway: 400, nginx: 505 },
  { name: 'header line without a colon', raw: `${GET}BadHeader\r\n\r\n`, gateway: 400, nginx: 200 },
  { name: 'space in a header name', raw: `${GET}Bad Header: 1\r\n\r\n`, gateway: 400, nginx: 400 },
  { name: 'NUL byte in a header value', raw: `${GET}X-A: a\u0000b\r\n\r\n`, gateway: 400, nginx: 400 },
  { name: 'no Host header (HTTP/1.1)', raw: 'GET / HTTP/1.1\r\n\r\n', gateway: 400, nginx: 400 },
  { name: 'bare LF line ends', raw: 'GET / HTTP/1.1\nHost: x\n\n', gateway: 400, nginx: 200 },
  { name: 'one 20 KB header', raw: `${GET}X-Big: ${big(20_000)}\r\n\r\n`, gateway: 431, nginx: 400 },
  { name: '2,000 headers', raw: `${GET}${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`, gateway: 431, nginx: 400 },
  { name: '20 KB request target', raw: `GET /${big(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, gateway: 431, nginx: 414 },
  {
    name: `body over the limit (Content-Length ${BODY_LIMIT * 2})`,
    raw: `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY_LIMIT * 2}\r\n\r\n${big(BODY_LIMIT * 2)}`,
    gateway: 413,
    nginx: 413,
  },
  {
    name: 'chunked body over the limit',
    raw: `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${(BODY_LIMIT * 2).toString(16)}\r\n${big(BODY_LIMIT * 2)}\r\n0\r\n\r\n`,
    gateway: 413,
    nginx: 413,
  },
  { name: 'invalid chunk size', raw: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', gateway: 400, nginx: 400 },
  { name: 'Content-Length and chunked (smuggling)', raw: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', gateway: 400, nginx: 400 },
  { name: 'two different Content-Lengths', raw: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', gateway: 400, nginx: 400 },
  { name: 'non-numeric Content-Length', raw: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', gateway: 400, nginx: 400 },
  // Not errors for the server: the app sees the raw path / the latin1 bytes and decides.
  { name: 'invalid percent-encoding in the path', raw: 'GET /%zz%ff HTTP/1.1\r\nHost: x\r\n\r\n', gateway: 200, nginx: 400 },
  { name: 'invalid UTF-8 bytes in a header value', raw: `${GET}X-A: \u00ff\u00fe\u00c3\r\n\r\n`, gateway: 200, nginx: 200 },
];

/** Paths that try to leave nginx's static root; none may answer 200 or show a system file. */
export const TRAVERSALS: string[] = [
  '/static/../../../../etc/passwd',
  '/static/..%2f..%2f..%2f..%2fetc/passwd',
  '/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/static/..\\..\\..\\etc\\passwd',
  '/static//etc/passwd',
  '/static/.hidden',
  '/static/',
  '/../../etc/passwd',
];
