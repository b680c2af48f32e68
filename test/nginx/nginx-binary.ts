/**
 * Test helpers around the real nginx binary. A missing nginx fails the suite with the install
 * command (never a skip): `npm test` installs it first, so missing means a broken machine.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '../../scripts/lib/system-packages.ts';

const run = promisify(execFile);

/** Absolute path of nginx; throws when it is not installed. */
export function nginxBinary(): string {
  const found = findExecutable('nginx');
  if (!found) throw new Error('nginx is not installed: apt-get install -y nginx-light (npm test does this as root)');
  return found;
}

/** A fresh folder for one nginx instance (config, pid, temp files). */
export function makeRunDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `kit-nginx-${label}-`));
}

/** `nginx -t` on `conf`, written into `dir`; resolves to nginx's combined output and exit status. */
export async function checkConfig(
  conf: string,
  dir: string,
  wrap: string[] = [],
): Promise<{ ok: boolean; output: string }> {
  const file = join(dir, 'nginx.conf');
  await writeFile(file, conf);
  const [command, ...args] = [...wrap, nginxBinary(), '-t', '-e', 'stderr', '-p', dir, '-c', file];
  try {
    const { stdout, stderr } = await run(command!, args);
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}

/**
 * Checks `conf` with `nginx -t`, starts it from `dir` in the foreground and waits until `site`
 * answers its health location (5 s at most); throws with nginx's verdict otherwise.
 */
export async function startNginx(conf: string, dir: string, site: string): Promise<ChildProcess> {
  const check = await checkConfig(conf, dir);
  if (!check.ok) throw new Error(`nginx -t refused the config:\n${check.output}`);
  const nginx = spawn(nginxBinary(), ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i += 1) {
    if (await fetch(`${site}/nginx-health`).then((r) => r.ok, () => false)) return nginx;
    await new Promise((r) => setTimeout(r, 100));
  }
  nginx.kill('SIGKILL');
  throw new Error('nginx did not start');
}
