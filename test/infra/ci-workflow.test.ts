/**
 * .github/workflows/ci.yml on a GitHub-hosted runner, simulated: the workflow is parsed and each
 * step's preconditions are checked against a model of the runner, through the same decisions the
 * scripts make (which packages npm test needs and how it installs them, where base images come
 * from, how often dependencies are installed). No runner here; this is the closest real check.
 *
 * The runner (ubuntu-24.04), from actions/runner-images: user `runner`, not root, passwordless sudo,
 * in the docker group; Docker, nginx (install-nginx.sh) and chromium at /usr/bin/chromium
 * (install-google-chrome.sh) installed; no debootstrap; Ubuntu's apt sources, not Debian bookworm's;
 * public images can be pulled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { baseImageMode, firstMove } from '../../scripts/lib/base-image-source.ts';
import { baseImageTagsFor } from '../../scripts/lib/base-image-tags.ts';
import { DEBOOTSTRAP, NGINX_EXPORTER, PROMTOOL, TEST_PACKAGES, installDecision, type InstallerFacts, type SystemPackage } from '../../scripts/lib/system-packages.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8'));
const scripts: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
const steps = (job: string): Step[] => workflow.jobs[job].steps;

const RUNNER = {
  facts: { root: false, aptGet: true, passwordlessSudo: true } satisfies InstallerFacts,
  // The Ubuntu runner images list both web servers (nginx and Apache 2.4) among their tools.
  executables: new Set(['docker', 'dockerd', 'nginx', 'apache2', 'chromium', 'sudo', 'apt-get']),
};

/** The npm script a `run:` line starts (`npm test …` → test, `npm run kind …` → kind), if any. */
function npmScript(run: string): string | undefined {
  return /^npm (?:run (\S+)|(test))\b/.exec(run.trim())?.slice(1).find(Boolean);
}

describe('the workflow', () => {
  test('uses checkout and setup-node at v5 (Node 24 runtime; v4 warns) and Node 24 for the project', () => {
    for (const job of Object.keys(workflow.jobs)) {
      for (const step of steps(job).filter((s) => s.uses?.startsWith('actions/'))) expect(step.uses).toMatch(/^actions\/(checkout|setup-node)@v5$/);
      expect(steps(job).find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe(24);
    }
  });

  test('every job runs on ubuntu-24.04 with a timeout, and the kind job waits for the tests', () => {
    for (const job of Object.values<Record<string, unknown>>(workflow.jobs)) {
      expect(job['runs-on']).toBe('ubuntu-24.04');
      expect(job['timeout-minutes']).toBeGreaterThan(0);
    }
    expect(workflow.jobs.kind.needs).toBe('test');
  });

  test('every npm script a step runs exists, and each one installs dependencies through the bootstrap', () => {
    for (const job of Object.keys(workflow.jobs)) {
      for (const step of steps(job).filter((s) => s.run)) {
        const script = npmScript(step.run!);
        if (!script) continue;
        expect(scripts[script]).toMatch(/^exec node scripts\/bootstrap\.cjs /);
      }
    }
  });

  test.each(Object.keys(workflow.jobs))('job %s installs the npm dependencies exactly once', (job) => {
    // `npm ci` always installs and removes the bootstrap's stamp; an npm script installs only
    // when the stamp is missing (scripts/bootstrap.cjs), then writes it.
    let installs = 0;
    let stamp = false;
    for (const step of steps(job).filter((s) => s.run)) {
      if (/^npm ci\b/.test(step.run!.trim())) {
        installs++;
        stamp = false;
      } else if (npmScript(step.run!) && !stamp) {
        installs++;
        stamp = true;
      }
    }
    expect(installs).toBe(1);
  });

  test('the Pulumi state is a local file backend with a passphrase set (no Pulumi Cloud login)', () => {
    expect(workflow.env.PULUMI_BACKEND_URL).toMatch(/^file:\/\//);
    expect(workflow.env).toHaveProperty('PULUMI_CONFIG_PASSPHRASE');
  });

  test('the kind job installs kind, kubectl and the Pulumi CLI only, and lets scripts/kind.ts do the rest', () => {
    const kind = steps('kind');
    expect(kind.find((s) => s.uses?.startsWith('helm/kind-action'))?.with).toMatchObject({ install_only: true });
    expect(kind.find((s) => s.uses?.startsWith('pulumi/actions'))?.with?.command).toBeUndefined();
    expect(kind.filter((s) => s.run).map((s) => s.run!.trim())).toEqual(['npm run kind -- --dry-run', 'npm run kind -- --load 60']);
  });
});

describe('the test job on a GitHub-hosted runner', () => {
  const testStep = steps('test').find((s) => s.run?.trim() === 'npm test')!;

  test('npm test needs no debootstrap up front, and what it needs the runner has or installs with sudo -n', () => {
    expect(TEST_PACKAGES).not.toContain(DEBOOTSTRAP);
    // The runner image has no Prometheus: promtool (alert rule tests) and the nginx exporter come from apt through sudo -n.
    const missing = TEST_PACKAGES.filter((p) => !RUNNER.executables.has(p.bin));
    expect(missing).toEqual([PROMTOOL, NGINX_EXPORTER]);
    expect(installDecision(missing, RUNNER.facts)).toEqual({ commands: [
      ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update', '-q'],
      ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', '--no-install-recommends', 'prometheus', 'prometheus-nginx-exporter'],
    ] });
    // Were another missing (another image, a removed tool), sudo -n apt-get would install it too.
    const decision = installDecision(TEST_PACKAGES, RUNNER.facts);
    expect(decision).toEqual({ commands: [
      ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update', '-q'],
      ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', '--no-install-recommends', 'nginx-light', 'apache2', 'docker.io', 'chromium', 'prometheus', 'prometheus-nginx-exporter'],
    ] });
  });

  test('CI=true: a missing tool fails the run instead of skipping suites', () => {
    expect(testStep.env?.CI).toBe('true');
  });

  test('the container suite pulls the official node, nginx and httpd images and never builds stand-ins', () => {
    const mode = baseImageMode({ KIT_BASE_IMAGES: testStep.env?.KIT_BASE_IMAGES });
    expect(mode).toBe('pull');
    const tags = baseImageTagsFor(ROOT);
    for (const tag of [...tags.node, ...tags.nginx, ...tags.httpd]) {
      // A fresh runner has none of them: the first move is a pull, which succeeds there.
      expect([tag, firstMove(mode, { present: false, standIn: false })]).toEqual([tag, 'pull']);
    }
    expect(tags.other).toEqual([]);
  });

  test('the preflight runs first with the same image setting, and changes nothing', () => {
    const runs = steps('test').filter((s) => s.run).map((s) => s.run!.trim());
    expect(runs).toEqual(['npm test -- --preflight', 'npm test']);
    expect(steps('test')[2]!.env?.KIT_BASE_IMAGES).toBe(testStep.env?.KIT_BASE_IMAGES);
  });
});

describe('the decisions the simulation relies on', () => {
  const pkg: SystemPackage = { bin: 'x', apt: 'x-pkg', why: 'a test' };

  test.each<[string, InstallerFacts, RegExp | string[]]>([
    ['root', { root: true, aptGet: true, passwordlessSudo: false }, ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install']],
    ['non-root with passwordless sudo (a GitHub runner)', { root: false, aptGet: true, passwordlessSudo: true }, ['sudo', '-n', 'env']],
    ['non-root without sudo', { root: false, aptGet: true, passwordlessSudo: false }, /Install them with: sudo apt-get install -y x-pkg/],
    ['no apt-get', { root: true, aptGet: false, passwordlessSudo: false }, /package manager \(Debian\/Ubuntu names: x-pkg\)/],
  ])('install as %s', (_, facts, expected) => {
    const decision = installDecision([pkg], facts);
    if (expected instanceof RegExp) expect('refusal' in decision ? decision.refusal : '').toMatch(expected);
    else expect('commands' in decision ? decision.commands[1]!.slice(0, expected.length) : []).toEqual(expected);
  });

  test('base images: an official image present is used, a stand-in is replaced by a pull where possible, stand-in mode never pulls', () => {
    expect(firstMove('auto', { present: true, standIn: false })).toBe('use');
    expect(firstMove('auto', { present: true, standIn: true })).toBe('pull');
    expect(firstMove('pull', { present: false, standIn: false })).toBe('pull');
    expect(firstMove('stand-in', { present: false, standIn: false })).toBe('stand-in');
    expect(() => baseImageMode({ KIT_BASE_IMAGES: 'official' })).toThrow(/KIT_BASE_IMAGES must be one of auto, pull, stand-in/);
    expect(baseImageMode({})).toBe('auto');
  });
});
