/**
 * The committed stack files and rendered manifests: Pulumi.*.yaml parse into valid configs through
 * the same reader `pulumi up` uses, and k8s/manifests/ is what the program renders today.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { readInfraConfig } from '../../infra/config.ts';
import { MANIFEST_DIR, loadStackFile, readManifestDir, renderManifests } from '../../infra/render-manifests.ts';
import { stackSpec } from '../../infra/spec.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('Pulumi project and stack files', () => {
  test('Pulumi.yaml runs infra/ on Node with type stripping, not ts-node', () => {
    const project = parse(readFileSync(join(ROOT, 'Pulumi.yaml'), 'utf8'));
    expect(project).toMatchObject({ name: 'ts-gateway-kit', main: 'infra/', runtime: { name: 'nodejs', options: { typescript: false } } });
  });

  test.each([
    ['Pulumi.docker.yaml', 'docker', 'http://127.0.0.1:8080/'],
    ['Pulumi.kind.yaml', 'kubernetes', 'http://127.0.0.1:30080/'],
  ])('%s reads into a valid %s config', (file, target, url) => {
    loadStackFile(join(ROOT, file));
    const { stack } = readInfraConfig(new pulumi.Config('ts-gateway-kit'));
    expect(stack.target).toBe(target);
    expect(stackSpec(stack).site.url).toBe(url);
  });

  test('a value outside its allowed set is refused, naming the key', () => {
    pulumi.runtime.setAllConfig({ 'ts-gateway-kit:target': 'docker', 'ts-gateway-kit:dockerNetworkMode': 'overlay' });
    expect(() => readInfraConfig(new pulumi.Config('ts-gateway-kit'))).toThrow(/dockerNetworkMode/);
  });
});

describe('k8s/manifests', () => {
  test('are current: `npm run k8s:render` would not change them', async () => {
    const rendered = await renderManifests();
    const committed = readManifestDir(MANIFEST_DIR);
    expect([...committed.keys()].sort()).toEqual([...rendered.keys()].sort());
    for (const [file, text] of rendered) expect(`${file}\n${committed.get(file)}`).toBe(`${file}\n${text}`);
  });
});
