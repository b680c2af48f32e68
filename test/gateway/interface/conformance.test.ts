/**
 * The conformance suite against both interface kinds, hosted by createRequestListener: at the root
 * mount, mounted under a prefix, and with an empty trust list (forwarded headers ignored).
 */
import { fileURLToPath } from 'node:url';
import { loadApps } from '../../../gateway/interface/index.ts';
import { CONFORMANCE_CHECKS, type ConformanceOptions } from './conformance.ts';
import { serve, type Served } from './serve.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/apps/${name}`, import.meta.url));

const setups: Array<{ title: string; module: string; prefix: string; forwardedAllowIps: string[]; options: ConformanceOptions }> = [];
for (const module of ['fetch-conformance.ts', 'node-conformance.ts']) {
  setups.push({ title: `${module} at /`, module, prefix: '/', forwardedAllowIps: ['127.0.0.1', '::1'], options: {} });
  setups.push({ title: `${module} at /mnt/app`, module, prefix: '/mnt/app', forwardedAllowIps: ['127.0.0.0/8', '::1'], options: { prefix: '/mnt/app' } });
  setups.push({ title: `${module} with no trusted proxy`, module, prefix: '/', forwardedAllowIps: [], options: { trusted: false } });
}

describe.each(setups)('conformance: $title', ({ module, prefix, forwardedAllowIps, options }) => {
  let served: Served;
  let base: string;
  beforeAll(async () => {
    const apps = await loadApps([{ prefix, module: fixture(module) }], { cwd: process.cwd() });
    served = await serve(apps, { forwardedAllowIps });
    base = served.url + (prefix === '/' ? '' : prefix);
  });
  afterAll(() => served.close());

  test.each(CONFORMANCE_CHECKS.map((c) => [c.name, c] as const))('%s', async (_name, check) => {
    await check.run(base, options);
  });
});
