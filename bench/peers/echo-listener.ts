/**
 * The corpus's Node listener, mounted at /node: like echo-app.ts, plus the trailer fields Node
 * hands a listener in `req.trailers` (fetch apps never see trailers).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export default function echo(req: IncomingMessage, res: ServerResponse): void {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => {
    const lines = ['app=node', `method=${req.method}`, `url=${req.url}`];
    for (const [name, value] of Object.entries(req.headers)) lines.push(`h:${name}=${String(value)}`);
    for (const [name, value] of Object.entries(req.trailers)) lines.push(`t:${name}=${String(value)}`);
    lines.push(`body=${bytes}`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${lines.join('\n')}\n`);
  });
}
