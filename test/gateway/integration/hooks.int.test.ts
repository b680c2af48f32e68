/**
 * Every server hook of the config file fires, in the process gunicorn users expect (master or
 * worker); and USR1 reopens the log file after rotation.
 */
import { jest } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixture, settled, sleep, startGateway } from './gateway-process.ts';

jest.setTimeout(60_000);
const DIR = fileURLToPath(new URL('../../.tmp/hooks/', import.meta.url));

function hooksFired(log: string): Array<{ name: string; pid: number }> {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string; pid: number }) : [];
}

beforeAll(() => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
});

test('master and worker hooks fire through a graceful life: start, request, TTIN, HUP, hang, TERM', async () => {
  const log = `${DIR}graceful.jsonl`;
  const gw = await startGateway([fixture('gateway/ops-app.ts'), '--config', fixture('gateway/hooks.config.ts'), '--workers', '1'], { HOOKS_LOG: log });
  await gw.waitFor(settled);
  await fetch(`${gw.url}/`);
  gw.proc.kill('SIGTTIN');
  await gw.waitFor((s) => s.target === 2 && settled(s));
  gw.proc.kill('SIGHUP');
  await gw.waitFor((s) => settled(s) && s.workers.every((w) => w.generation === 2));
  void fetch(`${gw.url}/block?ms=0`).catch(() => undefined);
  await gw.waitFor((s) => (s.restarts.timeout ?? 0) === 1 && settled(s), 20_000);
  gw.proc.kill('SIGTERM');
  expect(await gw.exited).toBe(0);
  const fired = hooksFired(log);
  const master = gw.proc.pid!;
  const inMaster = new Set(fired.filter((h) => h.pid === master).map((h) => h.name));
  const inWorkers = new Set(fired.filter((h) => h.pid !== master).map((h) => h.name));
  expect([...inMaster].sort()).toEqual(['childExit', 'nworkersChanged', 'onExit', 'onReload', 'onStarting', 'preFork', 'whenReady', 'workerAbort']);
  expect([...inWorkers].sort()).toEqual(['postFork', 'postRequest', 'postWorkerInit', 'preRequest', 'workerExit']);
  expect(fired[0]!.name).toBe('onStarting');
  expect(fired.at(-1)!.name).toBe('onExit');
});

test('INT is a quick stop: workers run workerInt', async () => {
  const log = `${DIR}quick.jsonl`;
  const gw = await startGateway([fixture('gateway/ops-app.ts'), '--config', fixture('gateway/hooks.config.ts'), '--workers', '2'], { HOOKS_LOG: log });
  await gw.waitFor(settled);
  gw.proc.kill('SIGINT');
  expect(await gw.exited).toBe(0);
  expect(hooksFired(log).filter((h) => h.name === 'workerInt')).toHaveLength(2);
});

test('USR1 reopens the log file, so logrotate can move it away', async () => {
  const file = `${DIR}gateway.log`;
  const gw = await startGateway([fixture('gateway/ops-app.ts'), '--workers', '1', '--log-file', file, '--access-log']);
  await gw.waitFor(settled);
  await sleep(200);
  renameSync(file, `${file}.1`);
  gw.proc.kill('SIGUSR1');
  await sleep(500);
  await fetch(`${gw.url}/`);
  gw.proc.kill('SIGTTIN');
  await gw.waitFor((s) => s.target === 2);
  await gw.stop();
  expect(readFileSync(`${file}.1`, 'utf8')).toMatch(/gateway master started/);
  // Written after the reopen, by a worker and by the master.
  expect(readFileSync(file, 'utf8')).toMatch(/"path":"\/","status":200/);
  expect(readFileSync(file, 'utf8')).toMatch(/"role":"master".*target workers 1 → 2/);
});
