/**
 * The tracked Pulumi.<stack>.yaml stays as committed: `npm run pulumi` and `npm run kind` create
 * stacks in a project copy under run/stacks/ (where `stack init` writes its encryption salt) and
 * deploy with `--config-file` pointing at the copy, regenerated from the tracked file each time.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { rewritePulumiArgs, stackCopy, syncStackCopy } from '../../infra/stack-copy.ts';
import { tempDir } from '../support/temp.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tracked = (stack: string) => stack === 'docker' || stack === 'kind';

describe('npm run pulumi rewrites commands that would write into a tracked stack file', () => {
  test.each([
    [['stack', 'init', 'docker'], ['stack', 'init', 'docker', '--cwd', 'run/stacks/docker']],
    [['stack', 'init', '--stack', 'kind'], ['stack', 'init', '--stack', 'kind', '--cwd', 'run/stacks/kind']],
    [['stack', 'select', 'docker', '--create'], ['stack', 'select', 'docker', '--create', '--cwd', 'run/stacks/docker']],
    [['up', '--stack', 'docker'], ['up', '--stack', 'docker', '--config-file', 'run/stacks/docker/Pulumi.docker.yaml']],
    [['preview', '-s', 'kind', '--diff'], ['preview', '-s', 'kind', '--diff', '--config-file', 'run/stacks/kind/Pulumi.kind.yaml']],
    [['destroy', '--stack=docker', '--yes'], ['destroy', '--stack=docker', '--yes', '--config-file', 'run/stacks/docker/Pulumi.docker.yaml']],
  ])('%j → %j', (args, expected) => {
    expect(rewritePulumiArgs(args, tracked).args).toEqual(expected);
  });

  test.each([
    [['stack', 'init', 'mine']],
    [['up', '--stack', 'mine']],
    [['up', '--stack', 'docker', '--config-file', 'other.yaml']],
    [['up', '--stack', 'docker', '--cwd', 'elsewhere']],
    [['stack', 'select', 'docker']],
    [['config', 'set', 'ts-gateway-kit:sitePort', '9090', '--stack', 'docker']],
    [['version']],
  ])('%j is passed through unchanged', (args) => {
    expect(rewritePulumiArgs(args, tracked)).toEqual({ args });
  });
});

describe('the stack copy', () => {
  test('carries the tracked config plus extras, keeps the salt Pulumi wrote, and never touches the tracked file', () => {
    const root = tempDir('stack-copy');
    for (const file of ['Pulumi.yaml', 'Pulumi.kind.yaml']) cpSync(join(ROOT, file), join(root, file));
    const before = readFileSync(join(root, 'Pulumi.kind.yaml'), 'utf8');
    const copy = stackCopy(root, 'kind');
    syncStackCopy(root, copy, { 'ts-gateway-kit:imageTag': 'sha-aaaaaaaaaaaa' });
    expect(parse(readFileSync(copy.configFile, 'utf8')).config['ts-gateway-kit:imageTag']).toBe('sha-aaaaaaaaaaaa');
    expect(readFileSync(join(copy.dir, 'Pulumi.yaml'), 'utf8')).toBe(readFileSync(join(root, 'Pulumi.yaml'), 'utf8'));

    // What `pulumi stack init --cwd run/stacks/kind` does to the copy's stack file.
    writeFileSync(copy.configFile, `encryptionsalt: v1:abc\n${readFileSync(copy.configFile, 'utf8')}`);
    // The user edits the tracked file; the next run picks the edit up and keeps the salt.
    writeFileSync(join(root, 'Pulumi.kind.yaml'), before.replace('hpaCpuTarget: 80', 'hpaCpuTarget: 70'));
    syncStackCopy(root, copy, { 'ts-gateway-kit:imageTag': 'sha-bbbbbbbbbbbb' });
    const next = parse(readFileSync(copy.configFile, 'utf8'));
    expect(next.encryptionsalt).toBe('v1:abc');
    expect(next.config['ts-gateway-kit:imageTag']).toBe('sha-bbbbbbbbbbbb');
    expect(next.config['ts-gateway-kit:hpaCpuTarget']).toBe(70);
    expect(readFileSync(join(root, 'Pulumi.kind.yaml'), 'utf8')).not.toMatch(/encryptionsalt/);
  });

  test('the copies live under run/, which git ignores', () => {
    expect(stackCopy('/repo', 'docker')).toEqual({
      stack: 'docker', dir: '/repo/run/stacks/docker', configFile: '/repo/run/stacks/docker/Pulumi.docker.yaml', tracked: '/repo/Pulumi.docker.yaml',
    });
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('run/');
  });
});
