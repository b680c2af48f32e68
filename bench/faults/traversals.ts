/**
 * Paths that try to leave nginx's static root. (Malformed requests as bytes are the raw-request
 * corpus, test/http-corpus.)
 */

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
