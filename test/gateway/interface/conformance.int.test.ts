/**
 * The conformance suite against the real gateway: `node gateway/cli.ts` as a separate process
 * (master + one worker) hosting each fixture kind, at '/' and under a --mount prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/net.ts';
import { CONFORMANCE_CHECKS, type ConformanceOptions } from './conformance.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => `test/fixtures/apps/${name}`;

async function waitReady(adminUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(`${adminUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway not ready within 20 s:\n${output()}`);
}

const setups: Array<{ title: string; args: (app: string) => string[]; path: string; options: ConformanceOptions }> = [];
for (const module of ['fetch-conformance.ts', 'node-conformance.ts']) {
  setups.push({ title: `${module} as APP_MODULE`, args: () => [fixture(module)], path: '', options: {} });
  setups.push({
    title: `${module} with --mount /mnt=…`,
    args: () => [fixture('hono-app.ts'), '--mount', `/mnt=${fixture(module)}`],
    path: '/mnt',
    options: { prefix: '/mnt' },
  });
}

describe.each(setups)('real gateway: $title', ({ args, path, options }) => {
  let child: ChildProcess;
  let base: string;
  let output = '';
  beforeAll(async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    child = spawn(
      process.execPath,
      ['gateway/cli.ts', ...args(''), '--workers', '1', '--bind', `127.0.0.1:${port}`, '--admin-bind', `127.0.0.1:${adminPort}`],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitReady(`http://127.0.0.1:${adminPort}`, child, () => output);
    base = `http://127.0.0.1:${port}${path}`;
  }, 30_000);
  afterAll(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  test.each(CONFORMANCE_CHECKS.map((c) => [c.name, c] as const))('%s', async (_name, check) => {
    await check.run(base, options);
  });
});
