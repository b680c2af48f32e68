/**
 * The corpus machinery: the .http notation, the expectation files, and how answers are counted
 * (several responses on one connection, HEAD, a close without an answer).
 */
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { decodeRequest, loadCorpus, sendCase, wanted, type Outcome } from '../../bench/faults/http-corpus.ts';

test('the .http notation: line breaks ignored, escapes are bytes, {{N*text}} repeats', () => {
  const raw = decodeRequest('GET / HTTP/1.1\\r\\n\nX-A: \\xff\\t\\0{{3*ab}}\\r\\n\n\\r\\n\n');
  expect(raw.toString('latin1')).toBe('GET / HTTP/1.1\r\nX-A: \xff\t\0ababab\r\n\r\n');
});

test('every case has its expectations for the three targets', () => {
  const targets = ['gateway', 'nginx', 'gunicorn'] as const;
  const missing = loadCorpus().flatMap((c) => targets.filter((t) => c.expect[t] === undefined || c.expect[t] === null).map((t) => `${c.id}: ${t}`));
  expect(missing).toEqual([]);
});

/** A server that writes `reply` to every connection once it has read something, then maybe closes. */
async function replying(reply: string, close: boolean): Promise<{ port: number; server: Server }> {
  const server = createNetServer((socket) => {
    socket.once('data', () => (close ? socket.end(reply) : socket.write(reply)));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

const answers: Array<[string, string, boolean, string, Outcome]> = [
  ['two responses, one by length, one chunked', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 No\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n', false, 'GET ', [200, 404]],
  ['an interim 100 before the answer', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', false, 'POST', [100, 200]],
  ['HEAD: a length but no body', 'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n', false, 'HEAD', 200],
  ['a body that runs until the close', 'HTTP/1.1 400 Bad\r\n\r\nbad', true, 'GET ', 400],
  ['a close without an answer', '', true, 'GET ', 'closed'],
];
test.each(answers)('%s', async (_name, reply, close, method, expected) => {
  const { port, server } = await replying(reply, close);
  try {
    const answer = await sendCase(port, Buffer.from(`${method} / HTTP/1.1\r\n\r\n`), wanted(expected), 2000);
    expect(answer.outcome).toEqual(expected);
  } finally {
    server.close();
  }
});
