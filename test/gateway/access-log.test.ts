/**
 * The access-log line: the shape a log shipper parses (pino's, which the other lines share), valid
 * JSON for any path or request id, and batched without losing a line.
 */
import { createAccessLog } from '../../gateway/access-log.ts';

const info = { method: 'GET', path: '/users/42', status: 200, durationMs: 0.412 };

function collect() {
  const writes: string[] = [];
  const access = createAccessLog({ write: (chunk: string) => writes.push(chunk) }, { worker: 2 });
  const lines = () => writes.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { access, writes, lines };
}

test('one JSON line per request with the fields pino lines carry', () => {
  const { access, lines } = collect();
  access.line(info, 'abc-1', '10.0.0.7', 2);
  access.flush();
  expect(lines()).toEqual([
    { level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), worker: 2, msg: 'request',
      method: 'GET', path: '/users/42', status: 200, durationMs: 0.412, workerId: 2, requestId: 'abc-1', client: '10.0.0.7' },
  ]);
});

test.each(['/a"b', '/back\\slash', '/ctl\u0001', '/ünï', '/\ud800lone'])('the path %j stays one valid JSON line', (path) => {
  const { access, lines } = collect();
  access.line({ ...info, path }, 'id"\\', '::1', 1);
  access.flush();
  const [line] = lines();
  expect(line?.path).toBe(JSON.parse(JSON.stringify(path)));
  expect(line?.requestId).toBe('id"\\');
});

test('lines of one event-loop turn are written together, after it; flush() writes at once', async () => {
  const { access, writes, lines } = collect();
  for (let i = 0; i < 3; i++) access.line(info, `r${i}`, '::1', 1);
  expect(writes).toHaveLength(0);
  await new Promise((resolve) => setImmediate(resolve));
  expect(writes).toHaveLength(1);
  access.line(info, 'r3', '::1', 1);
  access.flush();
  expect(writes).toHaveLength(2);
  expect(lines().map((l) => l.requestId)).toEqual(['r0', 'r1', 'r2', 'r3']);
});

test('a large batch is written within the turn instead of growing without bound', () => {
  const { access, writes } = collect();
  for (let i = 0; i < 1000; i++) access.line(info, `r${i}`, '::1', 1);
  expect(writes.length).toBeGreaterThan(1);
  expect(Math.max(...writes.map((w) => w.length))).toBeLessThan(20 * 1024);
});
