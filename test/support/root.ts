/**
 * How a test runs its root-only half (a mount namespace for a private /etc/hosts): directly as
 * root, or through `sudo -n` where sudo needs no password (GitHub's hosted runners work as the
 * non-root user `runner` with passwordless sudo). Where neither is possible a developer's run skips
 * that half; under CI=true it fails instead, so a root-only half never passes by not running.
 */
import { installerFacts } from '../../scripts/lib/system-packages.ts';

/** The command prefix that runs as root (`[]` or `['sudo', '-n']`), or undefined to skip the half. */
export async function rootPrefix(what: string): Promise<string[] | undefined> {
  if (process.getuid?.() === 0) return [];
  if ((await installerFacts()).passwordlessSudo) return ['sudo', '-n'];
  if (process.env.CI === 'true') throw new Error(`${what} needs root or passwordless sudo, and this CI run (uid ${process.getuid?.()}) has neither`);
  return undefined;
}
