/**
 * scripts/kind.ts without a cluster: the dry run prints the whole plan, derived from the stack
 * files, and changes nothing; without the tools it refuses to start. The child gets an empty
 * PATH, so no kind, kubectl, pulumi or docker can run whatever this machine has installed.
 */
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { tempDir } from '../support/temp.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const emptyPath = tempDir('kind-path');

/** A PATH holding only a stand-in `kind` that lists `clusters` and reports `version` (and bash, which zx runs commands with). */
function fakeKindPath(clusters: string[], version: string): string {
  const dir = tempDir('kind-fake');
  const script = `#!/bin/sh\ncase "$1" in\n  get) printf '%s\\n' ${clusters.map((c) => `'${c}'`).join(' ')} ;;\n  version) echo '${version}' ;;\n  *) exit 3 ;;\nesac\n`;
  writeFileSync(join(dir, 'kind'), script);
  chmodSync(join(dir, 'kind'), 0o755);
  symlinkSync('/bin/bash', join(dir, 'bash'));
  return dir;
}

async function kindScript(...args: string[]): Promise<{ code: number; out: string }> {
  return kindScriptWith(emptyPath, ...args);
}

async function kindScriptWith(path: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'scripts', 'kind.ts'), ...args], {
      cwd: ROOT, env: { PATH: path, HOME: tmpdir() }, timeout: 60_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('npm run kind', () => {
  test('--dry-run prints preflight and the plan in order, exits 0, changes nothing', async () => {
    const { code, out } = await kindScript('--dry-run', '--load', '30');
    expect(code).toBe(0);
    expect(out).toContain('preflight: missing docker, kind, kubectl, pulumi');
    const titles = [...out.matchAll(/^\[kind\] {3}\d+\. (.+)$/gm)].map((m) => m[1]);
    expect(titles).toEqual([
      'create kind cluster ts-gateway-kit', 'check the node runs Kubernetes ≥ 1.30 (the preStop sleep action)',
      'build the images, tag them by content and load them into the cluster', 'pulumi up --refresh (stack kind)',
      'wait for both rollouts', 'smoke test http://127.0.0.1:30080/', 'metrics-server for the HPA, and wait until the HPA sees CPU',
      "30 s of load, then the HPA's view", 'teardown',
    ]);
    expect(out).toContain('dry run: nothing was changed');
  });

  test('the plan uses the names of the stack files: images, cluster, context, NodePort', async () => {
    const { out } = await kindScript('--dry-run');
    const kindConfig = parse(readFileSync(join(ROOT, 'k8s', 'kind-config.yaml'), 'utf8'));
    const stackFile = parse(readFileSync(join(ROOT, 'Pulumi.kind.yaml'), 'utf8')).config;
    expect(`kind-${kindConfig.name}`).toBe(stackFile['ts-gateway-kit:kubeContext']);
    expect(kindConfig.nodes[0].extraPortMappings[0]).toMatchObject({ containerPort: stackFile['ts-gateway-kit:nodePort'], listenAddress: '127.0.0.1' });
    const tag = stackFile['ts-gateway-kit:imageTag'];
    expect(out).toContain(`$ docker build -t ts-gateway-kit/gateway:${tag} ${ROOT}`);
    expect(out).toContain(`kind load docker-image --name ${kindConfig.name} <both content-tagged images>`);
    expect(out).toContain(`--context kind-${kindConfig.name}`);
    expect(out).not.toContain('load, then the HPA');
  });

  test('--keep drops the teardown from the plan', async () => {
    const { out } = await kindScript('--dry-run', '--keep');
    expect(out).not.toMatch(/\d+\. teardown/);
  });

  test('without the tools it refuses before changing anything, naming them', async () => {
    const { code, out } = await kindScript();
    expect(code).toBe(1);
    expect(out).toContain('cannot start: install docker, kind, kubectl, pulumi');
    expect(out).not.toContain('▶');
  });

  test('a cluster kept by an earlier run is reused and left running, even without --keep', async () => {
    const { code, out } = await kindScriptWith(fakeKindPath(['other', 'ts-gateway-kit'], 'kind v0.31.0 go1.25.1 linux/amd64'), '--dry-run');
    expect(code).toBe(0);
    expect(out).toContain('preflight: cluster ts-gateway-kit exists: reused, and left running');
    expect(out).toContain('1. reuse kind cluster ts-gateway-kit (it exists already)');
    expect(out).not.toMatch(/\$ kind (create|delete) cluster/);
    expect(out).toMatch(/note: cluster ts-gateway-kit existed before this run/);
  });

  test('a kind too old for the preStop sleep action is refused before anything changes', async () => {
    const { code, out } = await kindScriptWith(fakeKindPath([], 'kind v0.22.0 go1.20.13 linux/amd64'));
    expect(code).toBe(1);
    expect(out).toMatch(/cannot start: kind v0.22.0 creates nodes older than Kubernetes 1.30/);
    expect(out).not.toContain('▶');
  });
});
