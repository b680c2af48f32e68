/**
 * The benchmark's app as a bare Node listener: `GET /` says hello, `POST /echo` parses a JSON body
 * and answers with a small JSON document. Every contender serves these same two answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const HELLO = 'Hello, world!\n';

/** What `POST /echo` answers for a parsed body: its key count, so the body is really parsed. */
export function echoOf(body: unknown): string {
  const keys = body && typeof body === 'object' ? Object.keys(body).length : 0;
  return JSON.stringify({ ok: true, keys });
}

/** The Node listener form of the app. */
export default function hello(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let reply: string;
      try {
        reply = echoOf(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('bad json\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end(HELLO);
}
