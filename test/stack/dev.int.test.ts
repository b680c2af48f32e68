/**
 * `npm run dev`: serves the app and its static files from one process, says it is not for
 * production, restarts on a change under app/, refuses a non-loopback address unless asked.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isLoopback, parseBind } from '../../scripts/dev.ts';
import { ROOT, childPids, freePort, isAlive } from './stack-process.ts';

const DEV = join(ROOT, 'scripts/dev.ts');

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('npm run dev', () => {
  it('parses and checks the bind address', () => {
    expect(parseBind('127.0.0.1:8000')).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(parseBind('[::1]:9')).toEqual({ host: '::1', port: 9 });
    expect(() => parseBind('8000')).toThrow('--bind=8000');
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.5'].some(isLoopback)).toBe(false);
  });

  it('refuses a non-loopback address without --allow-remote', () => {
    const result = spawnSync(process.execPath, [DEV, '--bind', '0.0.0.0:8000'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0');
    expect(result.stderr).toContain('--allow-remote');
  });

  it('serves page and static files, restarts on a change, stops on Ctrl-C', async () => {
    const port = await freePort();
    const dev = spawn(process.execPath, [DEV, '--bind', `127.0.0.1:${port}`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    dev.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const probe = join(ROOT, 'app', `.dev-test-probe-${process.pid}`);
    try {
      expect(await waitFor(() => log.includes('[dev] serving'), 30_000)).toBe(true);
      expect(log).toContain('not for production');
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      const css = await fetch(`http://127.0.0.1:${port}/static/style.css`);
      expect(css.headers.get('content-type')).toContain('text/css');
      const firstServer = childPids(dev.pid!);
      await writeFile(probe, 'change\n');
      expect(await waitFor(() => (log.match(/\[dev\] serving/g) ?? []).length >= 2, 20_000)).toBe(true);
      expect(log).toContain('changed: restarting');
      expect(firstServer.filter(isAlive)).toEqual([]); // the old server process is gone
      const server = childPids(dev.pid!);
      dev.kill('SIGINT');
      await new Promise((r) => dev.once('exit', r));
      expect(await waitFor(() => server.every((pid) => !isAlive(pid)), 5_000)).toBe(true);
    } finally {
      await rm(probe, { force: true });
      if (dev.exitCode === null) dev.kill('SIGKILL');
    }
  }, 60_000);
});
