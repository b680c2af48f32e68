/**
 * System packages the stack and its tests need, installed the way the machine allows: with
 * apt-get when we are root on Debian/Ubuntu, otherwise a one-line instruction and a clear failure.
 */
import { existsSync } from 'node:fs';
import { $ } from 'zx';

export interface SystemPackage {
  /** Executable that proves the package is present. */
  bin: string;
  /** Debian package that provides it. */
  apt: string;
  /** Why the project needs it, shown when it cannot be installed. */
  why: string;
}

export const NGINX: SystemPackage = { bin: 'nginx', apt: 'nginx-light', why: 'the static tier' };
export const DOCKER: SystemPackage = { bin: 'dockerd', apt: 'docker.io', why: 'the container tests' };
export const DEBOOTSTRAP: SystemPackage = { bin: 'debootstrap', apt: 'debootstrap', why: 'building stand-in base images' };
export const CHROMIUM: SystemPackage = { bin: 'chromium', apt: 'chromium', why: 'the browser check of the pages' };

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable, also looking in sbin folders that a user's PATH may lack. */
export function findExecutable(bin: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...SEARCH_PATH];
  return dirs.map((dir) => `${dir}/${bin}`).find((candidate) => existsSync(candidate));
}

/** Install whatever is missing; throws with the exact command to run when it cannot. */
export async function ensureSystemPackages(packages: SystemPackage[]): Promise<void> {
  const missing = packages.filter((p) => !findExecutable(p.bin));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.apt);
  const canInstall = process.getuid?.() === 0 && findExecutable('apt-get');
  if (!canInstall) {
    const needs = missing.map((p) => `${p.apt} (${p.why})`).join(', ');
    throw new Error(`missing system packages: ${needs}. Install them with: sudo apt-get install -y ${names.join(' ')}`);
  }
  console.error(`[setup] installing ${names.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await $({ env, stdio: 'inherit' })`apt-get update -q`;
  await $({ env, stdio: 'inherit' })`apt-get install -y -q --no-install-recommends ${names}`;
  const still = missing.filter((p) => !findExecutable(p.bin));
  if (still.length > 0) throw new Error(`apt-get did not provide: ${still.map((p) => p.bin).join(', ')}`);
}
