/**
 * Who nginx's workers run as on the local target. Started as root, nginx drops its workers to
 * `nobody`, and `nobody` cannot enter a private checkout (root's 700 home folder, a `mktemp -d`
 * folder, a 750 home): every static file answers 403. On this target the gateway, and so the app,
 * already runs as the invoking user, so nginx's workers running as that user too gain nothing the
 * stack did not have, and they read exactly what the user can. Not root: nginx cannot switch
 * users, and the directive would only draw a warning.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

/** `user group` for nginx's `user` directive when this process is root; undefined otherwise. */
export function localNginxUser(): string | undefined {
  if (process.geteuid?.() !== 0) return undefined;
  const user = userInfo().username;
  const group = groupName(process.getegid!());
  return group ? `${user} ${group}` : user;
}

/**
 * Who Apache's children run as on the local target. Apache refuses to serve as root (`User root`
 * is a config error), so a root-started Apache drops to Debian's `www-data` (or `nobody`), and a
 * private checkout's static files are served from a readable copy (scripts/lib/static-copy.ts).
 * Not root: Apache cannot switch users and keeps running as the invoking user.
 */
export function localApacheUser(): string | undefined {
  if (process.geteuid?.() !== 0) return undefined;
  const user = ['www-data', 'nobody'].find((name) => hasEntry('/etc/passwd', name)) ?? 'nobody';
  const group = ['www-data', 'nogroup', 'nobody'].find((name) => hasEntry('/etc/group', name)) ?? 'nogroup';
  return `${user} ${group}`;
}

function hasEntry(file: string, name: string): boolean {
  try {
    return readFileSync(file, 'utf8').split('\n').some((entry) => entry.split(':')[0] === name);
  } catch {
    return false;
  }
}

/** Name of group `gid` from /etc/group (nginx takes names only); undefined when not listed. */
function groupName(gid: number): string | undefined {
  try {
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((entry) => entry.split(':')[2] === String(gid));
    return line?.split(':')[0];
  } catch {
    return undefined;
  }
}
