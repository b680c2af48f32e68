/**
 * System packages the stack and its tests need, installed the way the machine allows: with
 * apt-get as root, or through passwordless `sudo` (GitHub-hosted runners work as the user `runner`
 * with `sudo -n`), otherwise a one-line instruction and a clear failure.
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
export const APACHE: SystemPackage = { bin: 'apache2', apt: 'apache2', why: 'the static tier with --static-server apache' };
export const DOCKER: SystemPackage = { bin: 'dockerd', apt: 'docker.io', why: 'the container tests' };
export const DEBOOTSTRAP: SystemPackage = { bin: 'debootstrap', apt: 'debootstrap', why: 'building stand-in base images' };
export const CHROMIUM: SystemPackage = { bin: 'chromium', apt: 'chromium', why: 'the browser check of the pages' };
export const PROMTOOL: SystemPackage = { bin: 'promtool', apt: 'prometheus', why: 'checking and unit-testing the alert rules' };
export const PROMETHEUS: SystemPackage = { bin: 'prometheus', apt: 'prometheus', why: 'npm start -- --prometheus' };
export const NGINX_EXPORTER: SystemPackage = {
  bin: 'prometheus-nginx-exporter', apt: 'prometheus-nginx-exporter', why: "exporting nginx's stub_status (npm start -- --prometheus and its tests)",
};

/** What `npm test` needs before any suite runs (debootstrap only when stand-in base images must be built). */
export const TEST_PACKAGES: readonly SystemPackage[] = [NGINX, APACHE, DOCKER, CHROMIUM, PROMTOOL, NGINX_EXPORTER];

/** What decides how packages can be installed here. */
export interface InstallerFacts {
  root: boolean;
  aptGet: boolean;
  /** `sudo -n true` succeeds: sudo without a password prompt. */
  passwordlessSudo: boolean;
}

/** How the missing packages get installed: the commands to run, or why not and what to run by hand. */
export type InstallDecision = { commands: string[][] } | { refusal: string };

/** Decide, without running anything (unit-tested against a model of a GitHub runner). */
export function installDecision(missing: readonly SystemPackage[], facts: InstallerFacts): InstallDecision {
  const names = missing.map((p) => p.apt);
  const sudo = facts.root ? [] : facts.passwordlessSudo ? ['sudo', '-n'] : undefined;
  if (!facts.aptGet || !sudo) {
    const needs = missing.map((p) => `${p.apt} (${p.why})`).join(', ');
    const how = facts.aptGet ? `sudo apt-get install -y ${names.join(' ')}` : `your system's package manager (Debian/Ubuntu names: ${names.join(' ')})`;
    return { refusal: `missing system packages: ${needs}. Install them with: ${how}` };
  }
  // sudo resets the environment; `env` carries the non-interactive frontend through it.
  const aptGet = [...sudo, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
  return { commands: [[...aptGet, 'update', '-q'], [...aptGet, 'install', '-y', '-q', '--no-install-recommends', ...names]] };
}

/** The facts of this machine. */
export async function installerFacts(): Promise<InstallerFacts> {
  const root = process.getuid?.() === 0;
  const passwordlessSudo = !root && Boolean(findExecutable('sudo')) &&
    (await $`sudo -n true`.quiet().nothrow().timeout('10s')).exitCode === 0;
  return { root, aptGet: Boolean(findExecutable('apt-get')), passwordlessSudo };
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable, also looking in sbin folders that a user's PATH may lack. */
export function findExecutable(bin: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...SEARCH_PATH];
  return dirs.map((dir) => `${dir}/${bin}`).find((candidate) => existsSync(candidate));
}

/** Install whatever is missing; throws with the exact command to run when it cannot. */
export async function ensureSystemPackages(packages: readonly SystemPackage[]): Promise<void> {
  const missing = packages.filter((p) => !findExecutable(p.bin));
  if (missing.length === 0) return;
  const decision = installDecision(missing, await installerFacts());
  if ('refusal' in decision) throw new Error(decision.refusal);
  console.error(`[setup] installing ${missing.map((p) => p.apt).join(', ')}: ${decision.commands.at(-1)!.join(' ')}`);
  for (const command of decision.commands) await $({ stdio: 'inherit' })`${command}`;
  const still = missing.filter((p) => !findExecutable(p.bin));
  if (still.length > 0) throw new Error(`apt-get did not provide: ${still.map((p) => p.bin).join(', ')}`);
}
