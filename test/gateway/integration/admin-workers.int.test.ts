/**
 * `POST /workers` on a real gateway's admin listener: the pool moves to the target asked for; a
 * target out of the pool's bounds or not a whole number is refused with 400, other methods with 405.
 */
import { jest } from '@jest/globals';
import { fixture, settled, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(60_000);
const OPS = fixture('gateway/ops-app.ts');
let gw: GatewayProcess | undefined;

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const post = (path: string, body?: string) => fetch(`${gw!.admin}${path}`, { method: 'POST', ...(body === undefined ? {} : { body }) });

test('an autoscaled pool moves to the target asked for, by query or JSON body, and refuses one outside its bounds', async () => {
  gw = await startGateway([OPS, '--workers', '1', '--min-workers', '1', '--max-workers', '3']);
  await gw.waitFor(settled);

  const up = await post('/workers?target=3');
  expect(up.status).toBe(202);
  expect(await up.json()).toEqual({ requested: 3, minWorkers: 1, maxWorkers: 3 });
  await gw.waitFor((s) => s.target === 3 && s.workers.length === 3 && settled(s));

  expect((await post('/workers', '{"target": 2}')).status).toBe(202);
  const two = await gw.waitFor((s) => s.target === 2 && s.workers.length === 2 && settled(s));

  for (const [path, body, words] of [
    ['/workers?target=4', undefined, 'target 4 is out of bounds: it must be within minWorkers..maxWorkers (1..3)'],
    ['/workers?target=0', undefined, 'target 0 is out of bounds'],
    ['/workers?target=abc', undefined, 'target must be a whole number'],
    ['/workers?target=1.5', undefined, 'target must be a whole number'],
    ['/workers', 'two', 'target must be a whole number'],
    ['/workers', '{}', 'target must be a whole number'],
  ] as const) {
    const refused = await post(path, body);
    expect([path, body, refused.status]).toEqual([path, body, 400]);
    expect(((await refused.json()) as { error: string }).error).toContain(words);
  }
  // Nothing moved: same target, same workers.
  const after = await gw.status();
  expect(after.target).toBe(2);
  expect(after.workers.map((w) => w.pid).sort()).toEqual(two.workers.map((w) => w.pid).sort());
});

test('a fixed pool moves freely upwards (like TTIN), never below 1', async () => {
  gw = await startGateway([OPS, '--workers', '1']);
  await gw.waitFor(settled);
  expect((await post('/workers?target=2')).status).toBe(202);
  await gw.waitFor((s) => s.target === 2 && s.workers.length === 2 && settled(s));
  const zero = await post('/workers?target=0');
  expect(zero.status).toBe(400);
  expect(((await zero.json()) as { error: string }).error).toBe('target 0 is out of bounds: it must be at least 1');
});

test('other methods on /workers are 405 naming POST as allowed, and move nothing', async () => {
  gw = await startGateway([OPS, '--workers', '1']);
  await gw.waitFor(settled);
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    const res = await fetch(`${gw.admin}/workers?target=2`, { method });
    expect([method, res.status, res.headers.get('allow')]).toEqual([method, 405, 'POST']);
  }
  expect((await gw.status()).target).toBe(1);
});
