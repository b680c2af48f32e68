/**
 * scripts/kind.ts without a cluster: the dry run prints the whole plan, derived from the stack
 * files, and changes nothing; without the tools it refuses to start. The child gets an empty
 * PATH, so no kind, kubectl, pulumi or docker can run whatever this machine has installed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const emptyPath = mkdtempSync(join(tmpdir(), 'kit-kind-path-'));

async function kindScript(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'scripts', 'kind.ts'), ...args], {
      cwd: ROOT, env: { PATH: emptyPath, HOME: tmpdir() }, timeout: 60_000,
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
      'create kind cluster ts-gateway-kit', 'build the images and load them into the cluster', 'pulumi up (stack kind)',
      'wait for both rollouts', 'smoke test http://127.0.0.1:30080/', "30 s of load, then the HPA's view", 'teardown',
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
    expect(out).toContain(`$ kind load docker-image --name ${kindConfig.name} ts-gateway-kit/gateway:${tag} ts-gateway-kit/nginx:${tag}`);
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
    expect(out).toContain('cannot start: install docker, kind, kubectl, pulumi first');
    expect(out).not.toContain('▶');
  });
});
