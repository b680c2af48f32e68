/**
 * The master supervising real worker processes on loopback: crashes, hung event loops, scaling
 * signals, recycling, and the failures that must stop it with a clear exit code.
 */
import { jest } from '@jest/globals';
import { fixture, load, runCli, settled, sleep, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(60_000);
const OPS = fixture('gateway/ops-app.ts');
let gw: GatewayProcess | undefined;

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

test('a SIGKILLed worker is replaced while the other keeps answering', async () => {
  gw = await startGateway([OPS, '--workers', '2']);
  const before = await gw.waitFor(settled);
  const victim = before.workers[0]!;
  process.kill(victim.pid, 'SIGKILL');
  const during = await load(`${gw.url}/whoami`, 100, 4, { signal: AbortSignal.timeout(10_000) });
  expect(during.ok).toBeGreaterThan(90); // in-flight requests on the killed worker may fail; the pool keeps serving
  const after = await gw.waitFor((s) => settled(s) && !s.workers.some((w) => w.pid === victim.pid));
  expect(after.workers).toHaveLength(2);
  expect(after.restarts.crash).toBe(1);
  expect(gw.output()).toMatch(/exited unexpectedly \(killed from outside: perhaps out of memory\?\)/);
});

test('a worker whose event loop blocks is killed within timeout + 2 s while the others serve', async () => {
  gw = await startGateway([OPS, '--workers', '2', '--timeout', '2']);
  const before = await gw.waitFor(settled);
  void fetch(`${gw.url}/block?ms=0`).catch(() => undefined); // hangs one worker for good
  const started = Date.now();
  await sleep(1200);
  const hung = (await gw.status()).workers.find((w) => w.lastSeenMs > 800);
  expect(hung).toBeDefined();
  const healthy = before.workers.find((w) => w.pid !== hung!.pid)!;
  const killed = gw
    .waitFor((s) => (s.restarts.timeout ?? 0) === 1 && !s.workers.some((w) => w.pid === hung!.pid), 15_000)
    .then(() => Date.now() - started);
  // Fresh connections while one worker is hung: all answered, by the healthy worker.
  const meanwhile = await load(`${gw.url}/whoami`, 20, 2, { headers: { connection: 'close' }, signal: AbortSignal.timeout(8000) });
  expect(meanwhile.errors).toEqual([]);
  expect(meanwhile.pids).toEqual(new Set([healthy.pid]));
  expect(await killed).toBeLessThan((2 + 2) * 1000);
  const after = await gw.waitFor(settled);
  expect(after.workers.some((w) => w.pid === healthy.pid)).toBe(true); // the other worker was never touched
  expect(gw.output()).toMatch(/silent for more than 2 s: killing it/);
});

test('TTIN and TTOU add and remove one worker', async () => {
  gw = await startGateway([OPS, '--workers', '1']);
  await gw.waitFor(settled);
  gw.proc.kill('SIGTTIN');
  const up = await gw.waitFor((s) => s.target === 2 && settled(s));
  expect(up.workers).toHaveLength(2);
  gw.proc.kill('SIGTTOU');
  const down = await gw.waitFor((s) => s.target === 1 && s.workers.length === 1);
  expect(down.restarts['scale-down']).toBe(1);
});

test('max-requests recycles workers without a failed request', async () => {
  gw = await startGateway([OPS, '--workers', '2', '--max-requests', '50', '--max-requests-jitter', '10']);
  const first = await gw.waitFor(settled);
  const before = await load(`${gw.url}/whoami`, 300, 4);
  const recycled = await gw.waitFor((s) => (s.restarts.recycle ?? 0) >= 2 && settled(s));
  const after = await load(`${gw.url}/whoami`, 100, 4);
  expect([...before.errors, ...after.errors]).toEqual([]);
  expect(before.ok + after.ok).toBe(400);
  expect(recycled.restarts.crash ?? 0).toBe(0);
  const firstPids = new Set(first.workers.map((w) => w.pid));
  expect([...after.pids].some((pid) => !firstPids.has(pid))).toBe(true); // replacements are serving
});

test('a worker past the memory ceiling is recycled without a failed request', async () => {
  gw = await startGateway([OPS, '--workers', '1', '--max-memory', '200']);
  await gw.waitFor(settled);
  const result = await load(`${gw.url}/leak?mb=20`, 12, 1);
  expect(result.errors).toEqual([]);
  const after = await gw.waitFor((s) => (s.restarts.recycle ?? 0) >= 1 && settled(s), 30_000);
  expect(after.workers[0]!.rss).toBeLessThan(200 * 1024 * 1024);
  expect(gw.output()).toMatch(/asks to be recycled \(max-memory\)/);
});

test('an app that throws at import stops the gateway with exit 4 and the cause, without a restart loop', async () => {
  const result = await runCli([fixture('apps/throws-at-import.ts'), '--workers', '2', '--bind', '127.0.0.1:0', '--admin-bind', '127.0.0.1:0']);
  expect(result.code).toBe(4);
  expect(result.stdout).toMatch(/cannot import the app module/);
  // No restart loop: the two workers of the first round, and no replacement after them.
  expect((result.stdout.match(/spawned worker/g) ?? []).length).toBeLessThanOrEqual(2);
});

test('an app whose init() hangs past bootTimeout stops the gateway with exit 4 and says so, without a restart loop', async () => {
  const result = await runCli([fixture('apps/init-hangs.ts'), '--workers', '2', '--boot-timeout', '2', '--bind', '127.0.0.1:0', '--admin-bind', '127.0.0.1:0']);
  expect(result.code).toBe(4);
  expect(result.stdout).toMatch(/shutting down: APP_INIT_TIMEOUT: the app's init\(\) did not finish in time: .*bootTimeout 2 s/);
  expect(result.stdout).not.toMatch(/did not boot within/); // the worker told why before the master had to kill it
  expect((result.stdout.match(/spawned worker/g) ?? []).length).toBeLessThanOrEqual(2);
});

test('bad configuration exits 2 with a message naming the setting, before binding', async () => {
  const result = await runCli([OPS, '--workers', 'lots']);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe('gateway: error: invalid setting: workers (--workers) = not a number: expected a whole number\n');
  const env = await runCli([OPS], { GATEWAY_GRACEFUL_TIMEOUT: '-3' });
  expect(env.code).toBe(2);
  expect(env.stderr).toMatch(/gracefulTimeout \(GATEWAY_GRACEFUL_TIMEOUT\) = -3: must be 0 or more seconds/);
});
