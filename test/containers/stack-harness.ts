/**
 * What the container suite needs around the Docker CLI: free loopback ports, image builds from the
 * captured `docker:index/image:Image` inputs, `docker run` of captured containers, health waits,
 * and cleanup. Every docker call is bounded in time, so a wedged engine fails the suite instead of
 * hanging it.
 */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { $, type Duration } from 'zx';
import type { CapturedResource } from '../../infra/testing/capture.ts';
import { freePorts } from '../support/net.ts';
import { dockerRunArgs, type RunOverrides } from './docker-run-flags.ts';

export const CONTAINER_TYPE = 'docker:index/container:Container';
export const IMAGE_TYPE = 'docker:index/image:Image';

/** `count` distinct ports the OS reports free on 127.0.0.1 (held together so none repeats). */
export { freePorts };

/**
 * A free loopback port whose next `span - 1` ports are free too: on the host network the Docker
 * target puts replica i on port + i. Drawn below the kernel's ephemeral range (32768 and up by
 * default): there the OS hands out ports for outgoing connections, and on a machine busy with load
 * tests the neighbour of a free port is often in use by one.
 */
export async function freePortRun(span: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * (32_000 - 20_000));
    const run = Array.from({ length: span }, (_, i) => first + i);
    if ((await Promise.all(run.map(canBind))).every(Boolean)) return first;
  }
  throw new Error(`no run of ${span} free loopback ports found between 20000 and 32000`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Runs `docker ARGS`; throws with stderr on failure. */
export async function docker(args: string[], timeout: Duration = '60s'): Promise<string> {
  const out = await $`docker ${args}`.quiet().nothrow().timeout(timeout);
  if (out.exitCode !== 0) throw new Error(`docker ${args.slice(0, 3).join(' ')}… failed (${out.exitCode}): ${out.stderr.trim().slice(-2000)}`);
  return out.stdout.trim();
}

/** One field of `docker inspect` (a Go template), or undefined when the object is gone. */
export async function inspect(name: string, template: string): Promise<string | undefined> {
  const out = await $`docker inspect --format ${template} ${name}`.quiet().nothrow().timeout('15s');
  return out.exitCode === 0 ? out.stdout.trim() : undefined;
}

interface ImageBuild {
  context: string;
  dockerfile?: string;
  args?: Record<string, string>;
}

/** Builds one captured image with the legacy-compatible CLI flags; returns seconds taken. */
export async function buildImage(resource: CapturedResource): Promise<number> {
  const { imageName, build } = resource.inputs as { imageName: string; build: ImageBuild };
  const started = Date.now();
  const buildArgs = Object.entries(build.args ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const file = build.dockerfile ? ['--file', build.dockerfile] : [];
  // Host networking: `npm ci` inside the build must reach the registry on a machine without a bridge.
  await docker(['build', '--network', 'host', ...file, ...buildArgs, '--tag', imageName, build.context], '20m');
  return (Date.now() - started) / 1000;
}

/** Starts a captured container; returns its name. */
export async function runContainer(resource: CapturedResource, overrides: RunOverrides = {}): Promise<string> {
  await docker(dockerRunArgs(resource.inputs, overrides));
  return resource.inputs.name as string;
}

/** Waits until Docker reports the container healthy; fails early, with its logs, if it exits or turns unhealthy. */
export async function waitHealthy(name: string, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const state = await inspect(name, '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}');
    if (state === 'running healthy') return (Date.now() - started) / 1000;
    // While Docker restarts a container it still shows the previous run's health: not a verdict.
    if (state?.startsWith('restarting')) {
      await sleep(500);
      continue;
    }
    if (state === undefined || state.endsWith('unhealthy') || state.startsWith('exited') || state.startsWith('dead')) {
      throw new Error(`${name} is "${state ?? 'gone'}"; logs:\n${await logs(name)}`);
    }
    await sleep(500);
  }
  throw new Error(`${name} not healthy after ${timeoutMs / 1000} s; logs:\n${await logs(name)}`);
}

/** The container's last log lines (for failure messages). */
export async function logs(name: string, lines = 40): Promise<string> {
  const out = await $`docker logs --tail ${lines} ${name}`.quiet().nothrow().timeout('15s');
  return `${out.stdout}${out.stderr}`.trim();
}

/** Removes containers and image tags, keeping the untagged layers as the next build's cache. */
export async function cleanUp(containers: string[], images: string[]): Promise<void> {
  if (containers.length > 0) await $`docker rm --force --volumes ${containers}`.quiet().nothrow().timeout('60s');
  if (images.length > 0) await $`docker rmi --no-prune ${images}`.quiet().nothrow().timeout('60s');
}

/** GET through the site, retried while nginx still marks a just-restarted upstream as failed. */
export async function getUntilOk(url: string, timeoutMs: number): Promise<Response> {
  const started = Date.now();
  let last = 'no answer';
  while (Date.now() - started < timeoutMs) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return response;
      last = `HTTP ${response.status}`;
      await response.body?.cancel();
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(500);
  }
  throw new Error(`${url}: ${last} after ${timeoutMs / 1000} s`);
}
