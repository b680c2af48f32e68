/**
 * The Docker target's resource graph and inputs, captured through Pulumi's mocks: what `pulumi up`
 * would ask the Docker provider for, for both network modes.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { captureStack, type CapturedResource, type CapturedStack } from '../../infra/testing/capture.ts';

const CONTAINER = 'docker:index/container:Container';
const containersOf = (stack: CapturedStack) => stack.resources.filter((r) => r.type === CONTAINER);
const byName = (stack: CapturedStack, name: string) => containersOf(stack).find((r) => r.inputs.name === name) as CapturedResource;
const envOf = (r: CapturedResource) => Object.fromEntries((r.inputs.envs as string[]).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

let bridge: CapturedStack;
let host: CapturedStack;

beforeAll(async () => {
  // One capture at a time: the mocks are process-global.
  bridge = await captureStack({ target: 'docker', gatewayReplicas: 2 });
  host = await captureStack({ target: 'docker', dockerNetworkMode: 'host', gatewayReplicas: 2, sitePort: 18080 });
});

describe.each([
  ['bridge', () => bridge],
  ['host', () => host],
])('docker target, %s networking', (mode, stack) => {
  test('declares two images from the project Dockerfiles, never pushed', () => {
    const images = stack().resources.filter((r) => r.type === 'docker:index/image:Image');
    const builds = images.map((i) => i.inputs.build as { context: string; dockerfile: string });
    expect(builds.map((b) => relative(b.context, b.dockerfile))).toEqual(['Dockerfile', 'nginx/Dockerfile']);
    for (const b of builds) expect(existsSync(b.dockerfile)).toBe(true);
    for (const image of images) {
      expect(image.inputs.skipPush).toBe(true);
      expect(image.inputs.imageName).toMatch(/^ts-gateway-kit\/(gateway|nginx):0\.1\.0$/);
    }
  });

  test('every container is hardened, limited, health-checked and restarted by policy', () => {
    const containers = containersOf(stack());
    expect(containers).toHaveLength(3);
    for (const c of containers) {
      expect(c.inputs).toMatchObject({
        readOnly: true,
        restart: 'unless-stopped',
        capabilities: { drops: ['ALL'] },
        securityOpts: ['no-new-privileges:true'],
        wait: true,
      });
      expect(c.inputs.tmpfs).toHaveProperty('/tmp');
      expect(Number(c.inputs.cpus)).toBeGreaterThan(0);
      expect(c.inputs.memory).toBeGreaterThan(0);
      expect((c.inputs.healthcheck as { tests: string[] }).tests[0]).toBe('CMD');
    }
  });

  test('nginx is configured with every gateway container as an upstream, and none of their admin ports', () => {
    const nginx = byName(stack(), 'ts-gateway-kit-nginx');
    const conf = envOf(nginx).NGINX_CONF as string;
    const gateways = containersOf(stack()).filter((c) => c !== nginx);
    for (const gw of gateways) {
      const bind = envOf(gw).GATEWAY_BIND as string;
      const port = bind.split(':').pop();
      const upstreamHost = mode === 'host' ? '127.0.0.1' : gw.inputs.name;
      expect(conf).toContain(`server ${upstreamHost}:${port} `);
      const adminPort = (envOf(gw).GATEWAY_ADMIN_BIND as string).split(':').pop();
      expect(conf).not.toContain(`:${adminPort} `);
      // The health check asks the same admin port the gateway binds.
      expect((gw.inputs.healthcheck as { tests: string[] }).tests).toContain(`127.0.0.1:${adminPort}`);
    }
  });

  test('the gateway gets its worker bounds and stop grace from the spec', () => {
    const gw = byName(stack(), 'ts-gateway-kit-gateway-0');
    const spec = stack().spec;
    expect(envOf(gw)).toMatchObject({ GATEWAY_MIN_WORKERS: '1', GATEWAY_MAX_WORKERS: String(spec.gateway.workers.max) });
    expect(gw.inputs.stopTimeout).toBe(spec.stopGraceSeconds);
    expect(gw.inputs.stopSignal).toBe('SIGTERM');
  });
});

describe('network modes differ only where they must', () => {
  // Bridge mode is checked here, through the mocks, and never started: the engine on these machines
  // runs with --bridge=none and no iptables (only loopback traffic is allowed), so no container
  // can join a user-defined bridge. Host mode runs for real in test/containers/stack.container.test.ts.
  test('bridge: a user-defined network, aliases, and the site published on loopback only', () => {
    expect(bridge.resources.some((r) => r.type === 'docker:index/network:Network')).toBe(true);
    const nginx = byName(bridge, 'ts-gateway-kit-nginx');
    expect(nginx.inputs.ports).toEqual([{ internal: 8080, external: 8080, ip: '127.0.0.1' }]);
    expect(containersOf(bridge).every((c) => c.inputs.networkMode === undefined)).toBe(true);
    expect(bridge.siteUrl).toBe('http://127.0.0.1:8080/');
    // nginx resolves container names once: a replaced gateway container must recreate nginx.
    expect(envOf(nginx).UPSTREAM_CONTAINERS).toBe('ts-gateway-kit-gateway-0-id,ts-gateway-kit-gateway-1-id');
  });

  test('host: no network, nothing published, replicas on consecutive loopback ports', () => {
    expect(host.resources.some((r) => r.type === 'docker:index/network:Network')).toBe(false);
    expect(containersOf(host).every((c) => c.inputs.networkMode === 'host' && c.inputs.ports === undefined)).toBe(true);
    expect(envOf(byName(host, 'ts-gateway-kit-nginx'))).not.toHaveProperty('UPSTREAM_CONTAINERS');
    expect(containersOf(host).filter((c) => c.inputs.name !== 'ts-gateway-kit-nginx').map((c) => envOf(c).GATEWAY_BIND))
      .toEqual(['127.0.0.1:8000', '127.0.0.1:8001']);
    expect(host.siteUrl).toBe('http://127.0.0.1:18080/');
  });

  test('components wrap the custom resources', () => {
    expect(bridge.resources.filter((r) => !r.custom).map((r) => r.type).sort())
      .toEqual(['kit:docker:GatewayTier', 'kit:docker:StackImages', 'kit:docker:StaticTier']);
  });
});

describe('staticServer: apache', () => {
  let apache: CapturedStack;
  beforeAll(async () => {
    apache = await captureStack({ target: 'docker', gatewayReplicas: 2, staticServer: 'apache' });
  });

  test('builds the static image from apache/Dockerfile on the pinned official httpd image', () => {
    const images = apache.resources.filter((r) => r.type === 'docker:index/image:Image');
    const builds = images.map((i) => i.inputs.build as { context: string; dockerfile: string; args: Record<string, string> });
    expect(builds.map((b) => relative(b.context, b.dockerfile))).toEqual(['Dockerfile', 'apache/Dockerfile']);
    expect(builds[1]!.args).toEqual({ NODE_IMAGE: 'node:24-bookworm-slim', HTTPD_IMAGE: 'httpd:2.4-bookworm' });
    expect(images.map((i) => i.inputs.imageName)).toEqual(['ts-gateway-kit/gateway:0.1.0', 'ts-gateway-kit/apache:0.1.0']);
  });

  test('the Apache container: httpd.conf for the official layout, both replicas balanced, graceful WINCH, hardened like nginx', () => {
    const container = byName(apache, 'ts-gateway-kit-apache');
    expect(containersOf(apache).some((c) => c.inputs.name === 'ts-gateway-kit-nginx')).toBe(false);
    const env = envOf(container);
    expect(env.APACHE_CONF).toContain('LoadModule mpm_event_module "/usr/local/apache2/modules/mod_mpm_event.so"');
    expect(env.APACHE_CONF).toContain('BalancerMember "http://ts-gateway-kit-gateway-0:8000"');
    expect(env.APACHE_CONF).toContain('BalancerMember "http://ts-gateway-kit-gateway-1:8000"');
    // The entrypoint makes the folder the config keeps its pid and runtime files in.
    expect(env.APACHE_CONF).toContain(`PidFile "${env.APACHE_RUN_DIR}/`);
    expect(env.APACHE_RUN_DIR).toMatch(/^\/tmp\//);
    expect(env).toMatchObject({ APACHE_PORT: '8080', UPSTREAM_CONTAINERS: 'ts-gateway-kit-gateway-0-id,ts-gateway-kit-gateway-1-id' });
    expect(container.inputs).toMatchObject({
      stopSignal: 'SIGWINCH', readOnly: true, capabilities: { drops: ['ALL'] }, securityOpts: ['no-new-privileges:true'],
      ports: [{ internal: 8080, external: 8080, ip: '127.0.0.1' }],
    });
    expect((container.inputs.healthcheck as { tests: string[] }).tests.join(' ')).toContain('GET /nginx-health');
  });
});
