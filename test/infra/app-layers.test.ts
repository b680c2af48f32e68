/**
 * The stack's `app` on the container targets: which folder of this machine goes into which image,
 * and what the Docker and Kubernetes programs then declare (captured through Pulumi's mocks): the
 * layered images, the gateway loading the module inside its image, and nginx serving the
 * framework's hashed assets from its own image under the preset's prefix.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { appLayers, type AppLayers } from '../../infra/app-layers.ts';
import { captureStack, kubernetesObjects, type CapturedResource, type CapturedStack } from '../../infra/testing/capture.ts';
import { stackSpec } from '../../infra/spec.ts';

/** A machine with these files (and their folders). */
const disk = (...files: string[]) => (path: string) => files.some((f) => f === path || f.startsWith(`${path}/`));

const NEXT = ['/home/u/shop/.next/standalone/server.js', '/home/u/shop/.next/static/chunks/a.js', '/home/u/shop/package.json'];
const EXPRESS = ['/home/u/api/package.json', '/home/u/api/src/server.js'];

describe('appLayers', () => {
  it('a server file takes its project: the nearest folder up with a package.json', () => {
    expect(appLayers('/home/u/api/src/server.js', '/kit', disk(...EXPRESS))).toEqual({
      gateway: { context: '/home/u/api', target: '/srv/app' },
      module: '/srv/app/src/server.js',
      assets: [],
    });
  });

  it('a Next standalone entry takes only the standalone folder; nginx gets .next/static under /_next/static/', () => {
    expect(appLayers('/home/u/shop/.next/standalone/server.js', '/kit', disk(...NEXT))).toEqual({
      gateway: { context: '/home/u/shop/.next/standalone', target: '/srv/app' },
      module: '/srv/app/server.js',
      assets: [{ framework: 'next', prefix: '/_next/static/', context: '/home/u/shop/.next/static', target: '/srv/framework/_next/static' }],
    });
  });

  it('a SvelteKit build takes its project (package.json says ESM; runtime dependencies stay external)', () => {
    const files = ['/p/package.json', '/p/build/index.js', '/p/build/client/_app/immutable/entry/start.js'];
    const layers = appLayers('/p/build/index.js', '/kit', disk(...files));
    expect(layers.gateway.context).toBe('/p');
    expect(layers.module).toBe('/srv/app/build/index.js');
    expect(layers.assets).toEqual([
      { framework: 'sveltekit', prefix: '/_app/immutable/', context: '/p/build/client/_app/immutable', target: '/srv/framework/_app/immutable' },
    ]);
  });

  it('a relative path is read from the kit folder; a missing file is an error naming the setting', () => {
    expect(appLayers('../api/src/server.js', '/home/u/kit', disk(...EXPRESS)).module).toBe('/srv/app/src/server.js');
    expect(() => appLayers('nope/server.js', '/kit', disk())).toThrow('app: /kit/nope/server.js does not exist');
  });

  it('app and appModule together are refused, and so are layers on the local target', () => {
    const layers = appLayers('/home/u/api/src/server.js', '/kit', disk(...EXPRESS));
    expect(() => stackSpec({ target: 'docker', appLayers: layers, appModule: 'x.js' })).toThrow('set app or appModule, not both');
    expect(() => stackSpec({ target: 'local', appLayers: layers })).toThrow(/container targets/);
  });
});

const IMAGE = 'docker:index/image:Image';
const CONTAINER = 'docker:index/container:Container';
const next: AppLayers = appLayers('/home/u/shop/.next/standalone/server.js', '/kit', disk(...NEXT));
const envOf = (r: CapturedResource) => Object.fromEntries((r.inputs.envs as string[]).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

describe('docker target with a Next build as the app', () => {
  let stack: CapturedStack;
  beforeAll(async () => {
    stack = await captureStack({ target: 'docker', dockerNetworkMode: 'host', appLayers: next });
  });

  it('builds the kit images, then a layer on each from the app’s own folders', () => {
    const builds = stack.resources.filter((r) => r.type === IMAGE).map((r) => ({
      image: r.inputs.imageName,
      ...(r.inputs.build as { context: string; dockerfile: string; args: Record<string, string> }),
    }));
    expect(builds.map((b) => b.image)).toEqual([
      'ts-gateway-kit/gateway:0.1.0', 'ts-gateway-kit/nginx:0.1.0', 'ts-gateway-kit/app-gateway:0.1.0', 'ts-gateway-kit/app-nginx:0.1.0',
    ]);
    expect(builds[2]).toMatchObject({
      context: '/home/u/shop/.next/standalone',
      dockerfile: expect.stringMatching(/\/app-layer\.Dockerfile$/),
      args: { BASE_IMAGE: 'ts-gateway-kit/gateway:0.1.0', TARGET: '/srv/app' },
    });
    expect(builds[3]).toMatchObject({
      context: '/home/u/shop/.next/static',
      dockerfile: expect.stringMatching(/\/nginx\/app-layer\.Dockerfile$/),
      args: { BASE_IMAGE: 'ts-gateway-kit/nginx:0.1.0', TARGET: '/srv/framework/_next/static' },
    });
  });

  it('runs the layered images: the gateway loads the module inside its image, nginx serves the assets from its own', () => {
    const containers = stack.resources.filter((r) => r.type === CONTAINER);
    const gateway = containers.find((c) => String(c.inputs.name).endsWith('-gateway-0'))!;
    const nginx = containers.find((c) => String(c.inputs.name).endsWith('-nginx'))!;
    expect(gateway.inputs.image).toBe('ts-gateway-kit/app-gateway:0.1.0');
    expect(gateway.inputs.command).toEqual(['/srv/app/server.js']);
    expect(nginx.inputs.image).toBe('ts-gateway-kit/app-nginx:0.1.0');
    expect(envOf(nginx).NGINX_CONF).toMatch(/location \^~ \/_next\/static\/ \{\n\s+alias \/srv\/framework\/_next\/static\/;/);
  });
});

describe('kubernetes target with a Next build as the app', () => {
  let objects: Record<string, unknown>[];
  beforeAll(async () => {
    objects = kubernetesObjects((await captureStack({ target: 'kubernetes', appLayers: next }, { kubeContext: 'kind-test' })).resources);
  });
  const deployment = (name: string) => objects.find((o) => o.kind === 'Deployment' && (o.metadata as { name: string }).name === name) as {
    spec: { template: { spec: { containers: { image: string; args?: string[] }[] } } };
  };

  it('the gateway Deployment runs the app layer with the module inside it; nginx runs the asset layer', () => {
    const gateway = deployment('ts-gateway-kit-gateway').spec.template.spec.containers[0]!;
    expect(gateway).toMatchObject({ image: 'ts-gateway-kit/app-gateway:0.1.0', args: ['/srv/app/server.js'] });
    expect(deployment('ts-gateway-kit-nginx').spec.template.spec.containers[0]!.image).toBe('ts-gateway-kit/app-nginx:0.1.0');
  });

  it("the nginx ConfigMap carries the preset's immutable location", () => {
    const map = objects.find((o) => o.kind === 'ConfigMap') as { data: Record<string, string> };
    expect(map.data['nginx.conf']).toMatch(/location \^~ \/_next\/static\/ \{\n\s+alias \/srv\/framework\/_next\/static\/;/);
    expect(map.data['nginx.conf']).toContain('public, max-age=31536000, immutable');
  });
});
