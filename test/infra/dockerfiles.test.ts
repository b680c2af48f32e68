/**
 * Static checks of the two Dockerfiles, for what the container suite cannot see from outside:
 * the base-image names the stand-ins use, production-only dependencies, a non-root final stage,
 * a health check and the stop signal each server drains on. (The container suite builds and runs them.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { BASE_IMAGES } from '../../infra/components/docker-images.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Instructions of the last stage, continuation lines joined. */
function finalStage(file: string): string[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const lastFrom = lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  return lines.slice(lastFrom);
}

describe.each([
  ['Dockerfile', { user: '1000:1000', stopSignal: 'SIGTERM', health: 'dist/gateway/cli.js' }],
  ['nginx/Dockerfile', { user: '101:101', stopSignal: 'SIGQUIT', health: '/nginx-health' }],
  ['apache/Dockerfile', { user: '33:33', stopSignal: 'SIGWINCH', health: '/nginx-health' }],
])('%s', (file, expected) => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const stage = finalStage(file);

  test('defaults to the official base image names (overridable by build arg)', () => {
    expect(text).toContain(`ARG NODE_IMAGE=${BASE_IMAGES.node}`);
    if (file.startsWith('nginx')) expect(text).toContain(`ARG NGINX_IMAGE=${BASE_IMAGES.nginx}`);
    if (file.startsWith('apache')) expect(text).toContain(`ARG HTTPD_IMAGE=${BASE_IMAGES.httpd}`);
  });

  test('the final stage runs as a non-root numeric user, health-checked, with the graceful stop signal', () => {
    expect(stage.filter((l) => l.startsWith('USER '))).toEqual([`USER ${expected.user}`]);
    expect(stage.find((l) => l.startsWith('HEALTHCHECK '))).toContain(expected.health);
    expect(stage).toContain(`STOPSIGNAL ${expected.stopSignal}`);
    expect(stage.some((l) => l.startsWith('LABEL ') && l.includes('org.opencontainers.image.version'))).toBe(true);
  });
});

test('the Apache image checks its config with httpd -t before it serves, and serves with the same config', () => {
  const entrypoint = finalStage('apache/Dockerfile').find((l) => l.startsWith('ENTRYPOINT '))!;
  const command = (JSON.parse(entrypoint.slice('ENTRYPOINT '.length)) as string[]).at(-1)!;
  expect(command).toMatch(/^set -e;/);
  expect(command.indexOf('httpd -t -f "$conf"')).toBeGreaterThan(0);
  expect(command.indexOf('httpd -t -f "$conf"')).toBeLessThan(command.indexOf('exec httpd -DFOREGROUND -f "$conf"'));
});

test('the gateway image installs production dependencies only, from the lock file', () => {
  expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/COPY package\.json package-lock\.json .*\n.*npm ci --omit=dev/);
});

test('.dockerignore keeps node_modules and local state out of the build context', () => {
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'run', '.git']));
});
