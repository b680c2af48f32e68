/**
 * Whether this process runs as root, for the halves of tests that need it (a mount namespace,
 * starting dockerd). A developer without root skips those halves; under CI=true, which runs as
 * root, a non-root run is a broken set-up and fails, so a root-only half never passes by not running.
 */
export function runsAsRoot(what: string): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI === 'true') throw new Error(`${what} needs root, and CI runs as root, but this run has uid ${process.getuid?.()}`);
  return false;
}
