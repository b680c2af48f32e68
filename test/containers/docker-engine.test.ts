/**
 * When no engine answers, ensureDockerEngine starts dockerd with the sandbox flags and, if it
 * cannot come up, fails within its timeout with the daemon's own words, rather than hanging the
 * container suite or failing with a bare "cannot connect".
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDockerEngine } from '../../scripts/lib/docker-engine.ts';

describe('ensureDockerEngine without a reachable engine', () => {
  let dir = '';
  const saved = { PATH: process.env.PATH, DOCKER_HOST: process.env.DOCKER_HOST };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kit-engine-'));
    // A dockerd that cannot start, as on a machine whose kernel refuses it.
    writeFileSync(join(dir, 'dockerd'), '#!/bin/sh\necho "fake dockerd cannot start with: $*"\nexit 1\n');
    chmodSync(join(dir, 'dockerd'), 0o755);
    process.env.PATH = `${dir}:${saved.PATH ?? ''}`;
    process.env.DOCKER_HOST = `unix://${join(dir, 'no-engine.sock')}`;
  });

  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.DOCKER_HOST === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved.DOCKER_HOST;
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts dockerd with no bridge and no iptables, and reports its log when it does not come up', async () => {
    const logFile = join(dir, 'dockerd.log');
    const started = Date.now();
    // Not root (a developer, or GitHub's runner user): the refusal is what such a user sees; both
    // halves assert, so neither passes by not running.
    if (process.getuid?.() !== 0) {
      await expect(ensureDockerEngine({ timeoutMs: 4_000, logFile })).rejects.toThrow(/needs root/);
      return;
    }
    await expect(ensureDockerEngine({ timeoutMs: 4_000, logFile })).rejects.toThrow(/fake dockerd cannot start with: --bridge=none --iptables=false --ip6tables=false/);
    expect(readFileSync(logFile, 'utf8')).toContain('fake dockerd cannot start');
    // Bounded: the timeout plus one probe round, not the default minute.
    expect(Date.now() - started).toBeLessThan(25_000);
  }, 30_000);
});
