/**
 * The stack's `app` on the Docker target, for real: an unmodified Express server file and a Next.js
 * standalone build (the framework fixtures, installed and built once into run/frameworks) layered
 * onto the kit's images as the Pulumi program declares them (captured through Pulumi's mocks), built
 * by the engine and started with host networking. Through the nginx container: the page and an API
 * route come from the app in the gateway container; Next's hashed script comes from the nginx
 * image, whose access log shows no upstream for it. No skip: no engine, every test fails.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appLayers } from '../../infra/app-layers.ts';
import { captureStack, type CapturedResource } from '../../infra/testing/capture.ts';
import { ensureDockerEngine } from '../../scripts/lib/docker-engine.ts';
import { provideBaseImages } from '../../scripts/lib/base-image-source.ts';
import { baseImageTagsFor } from '../../scripts/lib/base-image-tags.ts';
import { installFixture, ROOT } from '../../bench/lib/framework-fixtures.ts';
import { CONTAINER_TYPE, IMAGE_TYPE, buildImage, cleanUp, docker, freePorts, runContainer, waitHealthy } from './stack-harness.ts';

const log = (line: string) => process.stderr.write(`[app-containers] ${line}\n`);

const APPS = [
  { name: 'express', fixture: 'listeners', build: undefined, entry: 'express.js', heading: '<h1>express</h1>', asset: undefined },
  {
    name: 'next', fixture: 'next', build: ['npm', 'run', 'build'], entry: '.next/standalone/server.js', heading: '<h1>next</h1>',
    asset: /"(\/_next\/static\/[^"]+\.js)"/,
  },
];

beforeAll(async () => {
  const engine = await ensureDockerEngine();
  log(`engine ${engine.version}`);
  const tags = baseImageTagsFor(ROOT);
  await provideBaseImages({ node: tags.node, nginx: tags.nginx, httpd: [] }, { log });
}, 30 * 60_000);

describe.each(APPS)('$name as the stack’s app, in the Docker target’s containers', ({ name, fixture, build, entry, heading, asset }) => {
  let site = '';
  let nginx: CapturedResource;
  const started: string[] = [];
  const images: string[] = [];

  beforeAll(async () => {
    const { dir } = await installFixture(fixture, build);
    const [sitePort, gatewayPort, adminPort] = await freePorts(3);
    const project = `kit-app-${randomBytes(3).toString('hex')}`;
    const captured = await captureStack({
      target: 'docker', dockerNetworkMode: 'host', project, sitePort, gatewayPort, adminPort, gatewayReplicas: 1,
      appLayers: appLayers(join(dir, entry), ROOT, existsSync),
    });
    site = captured.siteUrl.replace(/\/$/, '');
    for (const image of captured.resources.filter((r) => r.type === IMAGE_TYPE)) {
      images.push(String(image.inputs.imageName));
      log(`built ${String(image.inputs.imageName)} in ${(await buildImage(image)).toFixed(1)} s`);
    }
    const containers = captured.resources.filter((r) => r.type === CONTAINER_TYPE);
    nginx = containers.find((r) => String(r.inputs.name).endsWith('-nginx'))!;
    for (const container of containers) {
      started.push(await runContainer(container));
      log(`${String(container.inputs.name)} healthy after ${(await waitHealthy(String(container.inputs.name))).toFixed(1)} s`);
    }
  }, 30 * 60_000);

  afterAll(async () => {
    await cleanUp(started, images);
  }, 120_000);

  it('serves the page and an API route from the app inside the gateway image, through nginx', async () => {
    const page = await fetch(`${site}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(heading);
    const api = await fetch(`${site}/api/hello`);
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ framework: name, pid: expect.any(Number) });
    expect(api.headers.get('x-request-id')).toBeTruthy();
  });

  if (!asset) return;
  it('serves the hashed assets from the nginx image, immutable, never asking the app', async () => {
    const path = asset.exec(await (await fetch(`${site}/`)).text())?.[1];
    expect(path).toBeDefined();
    const file = await fetch(`${site}${path}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
    // The access log (the container's stdout) has the request with no upstream: nginx answered it.
    const line = async () => (await docker(['logs', String(nginx.inputs.name)])).split('\n').findLast((l) => l.includes(`"GET ${path} `)) ?? '';
    for (let i = 0; i < 20 && !(await line()); i++) await sleep(250);
    expect(await line()).toMatch(/ 200 \d+ rt=\S+ urt=- upstream=- /);
  });
});
