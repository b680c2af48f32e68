/**
 * HUP with a broken new version, on a real gateway under load: the new workers cannot import the
 * app, so the reload is abandoned, the old workers keep serving without a failed request, and the
 * log says why. A fixed version then reloads normally: the abandoned reload left nothing stuck.
 */
import { jest } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { failures, startLoad } from '../../../bench/faults/load.ts';
import { settled, sleep, startGateway, type GatewayProcess } from './gateway-process.ts';

jest.setTimeout(60_000);
const dir = fileURLToPath(new URL(`../../.tmp/reload-broken-${process.pid}/`, import.meta.url));
const appFile = `${dir}app.ts`;
const release = (version: string) =>
  `export default { fetch: () => new Response('${version}', { headers: { 'x-worker-pid': String(process.pid) } }) };\n`;
let gw: GatewayProcess | undefined;

beforeAll(() => mkdirSync(dir, { recursive: true }));
afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a HUP to a version that throws at import is abandoned: the old workers serve on, 0 failed, and the log says why', async () => {
  writeFileSync(appFile, release('release 1'));
  gw = await startGateway([appFile, '--workers', '2']);
  const before = await gw.waitFor(settled);
  const oldPids = before.workers.map((w) => String(w.pid)).sort();

  const load = startLoad({ url: `${gw.url}/`, concurrency: 4, maxDurationMs: 6_000 });
  await sleep(1_000);
  writeFileSync(appFile, "throw new Error('release 2 is broken: DATABASE_URL is not set');\n");
  gw.proc.kill('SIGHUP');
  const tally = await load.done;

  expect(gw.output()).toMatch(/reload failed: the new app cannot boot; keeping the running workers/);
  expect(gw.output()).toMatch(/APP_IMPORT_FAILED: cannot import the app module: .*release 2 is broken: DATABASE_URL is not set/);
  expect(tally.ok).toBeGreaterThan(100);
  expect(failures(tally)).toBe(0);
  expect(tally.retried).toBe(0);
  // Every answer came from the old workers, which are still the pool, still generation 1.
  expect(Object.keys(tally.answeredBy).sort()).toEqual(oldPids);
  const after = await gw.waitFor(settled);
  expect(after.workers.map((w) => String(w.pid)).sort()).toEqual(oldPids);
  expect(after.workers.every((w) => w.generation === 1)).toBe(true);
  expect(await (await fetch(`${gw.url}/`)).text()).toBe('release 1');

  // The fix ships: the next HUP reloads as usual.
  writeFileSync(appFile, release('release 3'));
  gw.proc.kill('SIGHUP');
  const fixed = await gw.waitFor((s) => settled(s) && s.workers.every((w) => !oldPids.includes(String(w.pid))));
  expect(fixed.workers).toHaveLength(2);
  expect(await (await fetch(`${gw.url}/`)).text()).toBe('release 3');
});
