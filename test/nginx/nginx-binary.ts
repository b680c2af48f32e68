/**
 * Test helpers around the real nginx binary. A missing nginx fails the suite with the install
 * command (never a skip): `npm test` installs it first, so missing means a broken machine.
 */
import { execFile } from 'node:child_process';
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
