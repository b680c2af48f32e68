/**
 * promtool (Debian's `prometheus` package) for the alert and dashboard suites. A missing promtool
 * fails with the install command, never a skip: `npm test` installs it first (TEST_PACKAGES).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findExecutable } from '../../scripts/lib/system-packages.ts';

const run = promisify(execFile);

export function promtool(): string {
  const found = findExecutable('promtool');
  if (!found) throw new Error('promtool is not installed: apt-get install -y prometheus (npm test does this as root or with sudo -n)');
  return found;
}

/** Exit status and combined output of promtool with `args`, run in `cwd`. */
export async function runPromtool(args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool(), args, { cwd });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}
