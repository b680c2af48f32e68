/**
 * How a real gateway ends, as README.md's tables promise: exit 2 for an address that cannot be
 * bound, 3 for a worker that cannot boot, QUIT as a quick stop that does not wait for requests in
 * flight, and a worker still busy at gracefulTimeout killed so that the master exits anyway.
 */
import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { fixture, runCli, settled, sleep, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(60_000);
const OPS = fixture('gateway/ops-app.ts');
let gw: GatewayProcess | undefined;
let held: Server | undefined;

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
  held?.close();
  held = undefined;
});

/** A loopback port some other process already listens on. */
async function takenPort(): Promise<number> {
  held = createServer();
  await new Promise<void>((resolve) => held!.listen(0, '127.0.0.1', resolve));
  return (held.address() as { port: number }).port;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('exit 2: an address that cannot be bound', () => {
  test.each([
    ['round-robin', 'the app port, taken'],
    ['reuse-port', 'the app port, taken'],
  ])('%s listen strategy, %s', async (strategy) => {
    const port = await takenPort();
    const result = await runCli([OPS, '--workers', '2', '--listen-strategy', strategy, '--bind', `127.0.0.1:${port}`, '--admin-bind', '127.0.0.1:0']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`shutting down: BIND_FAILED: cannot bind: 127.0.0.1:${port}: EADDRINUSE`);
    expect((result.stdout.match(/spawned worker/g) ?? []).length).toBeLessThanOrEqual(2); // no restart loop
  });

  test('an address this machine does not have (TEST-NET-1)', async () => {
    const result = await runCli([OPS, '--workers', '1', '--bind', '192.0.2.1:8000', '--admin-bind', '127.0.0.1:0']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('cannot bind: 192.0.2.1:8000: EADDRNOTAVAIL');
  });

  test('the admin port, taken: nothing is forked', async () => {
    const port = await takenPort();
    const result = await runCli([OPS, '--workers', '1', '--bind', '127.0.0.1:0', '--admin-bind', `127.0.0.1:${port}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`gateway: error: cannot bind: adminBind 127.0.0.1:${port}: EADDRINUSE\n`);
    expect(result.stdout).not.toContain('spawned worker');
  });
});

test('exit 3: a worker that cannot boot (its config file throws in workers) stops the master, without a restart loop', async () => {
  const result = await runCli([OPS, '--config', fixture('gateway/worker-boot-fails.config.ts'), '--bind', '127.0.0.1:0', '--admin-bind', '127.0.0.1:0']);
  expect(result.code).toBe(3);
  expect(result.stdout).toMatch(/shutting down: WORKER_BOOT_FAILED: a worker could not boot: Error: fixture: this config cannot be loaded in a worker/);
  expect((result.stdout.match(/spawned worker/g) ?? []).length).toBeLessThanOrEqual(2);
});

test('QUIT is a quick stop: the master exits 0 without waiting for the requests in flight', async () => {
  // A 30 s grace period and 20 s requests: a graceful stop would wait for them, a quick one does not.
  gw = await startGateway([OPS, '--workers', '2', '--graceful-timeout', '30']);
  const { workers } = await gw.waitFor(settled);
  const inFlight = Array.from({ length: 4 }, () =>
    fetch(`${gw!.url}/sleep?ms=20000`, { signal: AbortSignal.timeout(40_000) }).then((r) => `HTTP ${r.status}`, () => 'cut off'));
  await sleep(500);
  gw.proc.kill('SIGQUIT');
  expect(await gw.exited).toBe(0);
  // A graceful stop would have answered them 200 after 20 s.
  expect(await Promise.all(inFlight)).toEqual(Array(4).fill('cut off'));
  expect(workers.filter((w) => alive(w.pid))).toEqual([]);
  expect(gw.output()).toMatch(/master got SIGQUIT/);
});

test('a worker still busy at gracefulTimeout is killed, and the master exits', async () => {
  gw = await startGateway([OPS, '--workers', '1', '--graceful-timeout', '1']);
  const { workers } = await gw.waitFor(settled);
  const busy = fetch(`${gw.url}/sleep?ms=30000`, { signal: AbortSignal.timeout(40_000) }).then((r) => `HTTP ${r.status}`, () => 'cut off');
  await sleep(500);
  gw.proc.kill('SIGTERM');
  expect(await gw.exited).toBe(0);
  expect(await busy).toBe('cut off');
  expect(alive(workers[0]!.pid)).toBe(false);
  expect(gw.output()).toMatch(/worker 1 did not finish draining in time: killing it/);
  expect(gw.output()).toMatch(/worker 1 exited \(shutdown\)/);
});
