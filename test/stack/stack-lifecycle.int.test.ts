/**
 * The stack at its edges: a second `npm start` while one runs, a busy port, bad settings. The
 * faults that involve the web server (a worker SIGKILLed under load through it, Ctrl-C) run once
 * per static-tier server in test/static-tier/stack-faults.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { nginxBinary } from '../nginx/nginx-binary.ts';
import { discardStack, ROOT, startStack, type RunningStack } from './stack-process.ts';

let stack: RunningStack;

beforeAll(async () => {
  nginxBinary();
  stack = await startStack(['--min-workers', '2', '--max-workers', '2']);
}, 90_000);

afterAll(() => discardStack(stack), 60_000);

/** Run `stack.ts` to completion with `args`; its exit status and output. */
function runStackScript(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/stack.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('the local stack', () => {
  it('a second start while one runs says so instead of failing on a busy port', () => {
    const { status, output } = runStackScript(['--run-dir', stack.runDir]);
    expect(status).toBe(1);
    expect(output).toContain(`a stack is already running (pid ${stack.child.pid})`);
    expect(output).toContain(stack.site);
  });

  it('a start on a busy port names the port and the flag', async () => {
    const { status, output } = runStackScript([
      '--site-port', String(stack.ports.site), '--gateway-port', String(stack.ports.gateway + 1),
      '--admin-port', String(stack.ports.admin + 1), '--run-dir', join(stack.runDir, 'other'),
    ]);
    expect(status).toBe(1);
    expect(output).toContain(`port ${stack.ports.site} (--site-port) is already in use`);
  });

  it('refuses bad settings with exit 2, naming them', () => {
    expect(runStackScript(['--min-workers', '0'])).toMatchObject({ status: 2, output: expect.stringContaining('--min-workers=0') });
    expect(runStackScript(['--max-workers', '1', '--min-workers', '2']).output).toContain('--max-workers=1 is below --min-workers=2');
    expect(runStackScript(['--static-server', 'iis'])).toMatchObject({ status: 2, output: expect.stringContaining('--static-server=iis: must be one of nginx, apache') });
    const env = spawnSync(process.execPath, [join(ROOT, 'scripts/stack.ts')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, STACK_SITE_PORT: 'eighty' } });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('STACK_SITE_PORT=eighty');
  });
});
