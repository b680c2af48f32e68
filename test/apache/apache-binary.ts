/**
 * Test helpers around the real Apache httpd (Debian's apache2). A missing apache2 fails the suite
 * with the install command (never a skip): `npm test` installs it first, so missing means a broken
 * machine, and under CI=true the run fails as it does for nginx.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '../../scripts/lib/system-packages.ts';

const run = promisify(execFile);

/** Absolute path of apache2; throws when it is not installed. */
export function apacheBinary(): string {
  const found = findExecutable('apache2');
  if (!found) throw new Error('apache2 is not installed: apt-get install -y apache2 (npm test does this as root)');
  return found;
}

/** A fresh folder for one Apache instance (config, pid, runtime files). */
export function makeApacheRunDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `kit-apache-${label}-`));
}

/** `apache2 -t -f` on `conf`, written into `dir`; resolves to Apache's combined output and exit status. */
export async function checkApacheConfig(conf: string, dir: string): Promise<{ ok: boolean; output: string }> {
  const file = join(dir, 'httpd.conf');
  await writeFile(file, conf);
  try {
    const { stdout, stderr } = await run(apacheBinary(), ['-t', '-f', file]);
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}
