/**
 * One description of how the gateway is launched (`spec.gateway.instances[i].launch`), and every
 * target starting it from exactly that: the Docker containers' command and env, the Kubernetes
 * container's args and env (both captured through Pulumi's mocks), the local stack's child process.
 * Each launch is then read by the gateway's own settings loader, so a variable the gateway does
 * not know, or a value the spec did not decide, fails here rather than in a user's deployment.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../../gateway/settings/load.ts';
import { GATEWAY_ENTRY, type GatewayLaunch } from '../../infra/gateway-launch.ts';
import { localStackConfig, stackSpec, type StackSpec } from '../../infra/spec.ts';
import { captureStack, kubernetesObjects, type CapturedStack } from '../../infra/testing/capture.ts';
import { localGatewayCommand } from '../../scripts/lib/local-gateway.ts';

const ROOT = join(import.meta.dirname, '../..');
const CONTAINER = 'docker:index/container:Container';
type KubeObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How each target starts its gateway processes, read back from what it declares. */
interface Started {
  spec: StackSpec;
  launches: GatewayLaunch[];
}

const envPairs = (list: string[]) => Object.fromEntries(list.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

function dockerLaunches({ spec, resources }: CapturedStack): Started {
  const containers = resources.filter((r) => r.type === CONTAINER && spec.gateway.instances.some((i) => i.name === r.inputs.name));
  return { spec, launches: containers.map((c) => ({ args: c.inputs.command as string[], env: envPairs(c.inputs.envs as string[]) })) };
}

function kubeLaunches({ spec, resources }: CapturedStack): Started {
  const deployment = kubernetesObjects(resources).find((o: KubeObject) => o.kind === 'Deployment' && o.metadata.name === `${spec.project}-gateway`) as KubeObject;
  const [container] = deployment.spec.template.spec.containers as KubeObject[];
  expect(container!.command).toBeUndefined(); // the image's ENTRYPOINT runs, as on Docker
  const env = Object.fromEntries((container!.env as KubeObject[]).map((e) => [e.name, e.value]));
  return { spec, launches: [{ args: container!.args as string[], env }] };
}

function localLaunches(spec: StackSpec): Started {
  const command = localGatewayCommand(spec, ROOT, {});
  expect(command.args[0]).toBe(join(ROOT, GATEWAY_ENTRY));
  expect(command.cwd).toBe(ROOT);
  return { spec, launches: [{ args: command.args.slice(1), env: command.env as Record<string, string> }] };
}

const started = new Map<string, Started>();

beforeAll(async () => {
  // One capture at a time: Pulumi's mocks are process-global.
  started.set('docker bridge', dockerLaunches(await captureStack({ target: 'docker', gatewayReplicas: 2 })));
  started.set('docker host', dockerLaunches(await captureStack({ target: 'docker', dockerNetworkMode: 'host', gatewayReplicas: 2 })));
  started.set('kubernetes', kubeLaunches(await captureStack({ target: 'kubernetes', gatewayCpuMillis: 3000 })));
  started.set('local', localLaunches(stackSpec(localStackConfig({ gatewayPort: 18000, adminPort: 19000, minWorkers: 2, maxWorkers: 3 }))));
}, 60_000);

const TARGETS = ['docker bridge', 'docker host', 'kubernetes', 'local'];

describe.each(TARGETS)('%s', (target) => {
  test("starts every gateway exactly as the spec's launch describes", () => {
    const { spec, launches } = started.get(target)!;
    expect(launches).toEqual(spec.gateway.instances.map((i) => i.launch));
  });

  test('the gateway reads from each launch the addresses, workers and limits the spec decided', async () => {
    const { spec, launches } = started.get(target)!;
    const gw = spec.gateway;
    for (const [i, launch] of launches.entries()) {
      const instance = gw.instances[i]!;
      const { settings, sources } = await loadSettings({ argv: launch.args, env: launch.env, cwd: ROOT });
      expect(settings).toMatchObject({
        app: gw.appModule,
        bind: `${gw.bindHost}:${instance.port}`,
        adminBind: `${gw.adminBindHost}:${instance.adminPort}`,
        minWorkers: gw.workers.min,
        maxWorkers: gw.workers.max,
        gracefulTimeout: gw.gracefulTimeoutSeconds,
        drainDelay: gw.drainDelaySeconds,
        maxMemory: gw.maxWorkerMemoryMb,
      });
      // Every variable is one the gateway reads: none is silently ignored.
      expect(Object.values(sources).filter((s) => s.startsWith('GATEWAY_')).sort()).toEqual(Object.keys(launch.env).sort());
    }
  });
});

test("the gateway image's entry point is the one the local stack runs", () => {
  const entrypoint = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').match(/^ENTRYPOINT (\[.*\])$/m)?.[1];
  expect(JSON.parse(entrypoint!).slice(-2)).toEqual(['node', GATEWAY_ENTRY]);
});

test('the local spec has no memory ceiling and the workers the flags ask for', () => {
  const spec = stackSpec(localStackConfig({ minWorkers: 3 }));
  expect(spec.gateway.workers.min).toBe(3);
  expect(spec.gateway.workers.max).toBeGreaterThanOrEqual(3);
  expect(spec.gateway.maxWorkerMemoryMb).toBe(0);
});

describe('stickyPath: socket.io long-polling on several workers', () => {
  test('turns on the sticky strategy in every gateway and the unshared upstream in nginx, from one knob', async () => {
    const spec = stackSpec({ target: 'docker', gatewayReplicas: 2, stickyPath: '/socket.io/' });
    for (const { launch } of spec.gateway.instances) {
      const { settings } = await loadSettings({ argv: launch.args, env: launch.env, cwd: ROOT });
      expect(settings).toMatchObject({ listenStrategy: 'sticky', stickyPath: '/socket.io/' });
    }
    expect(spec.static.nginx.stickyPath).toBe('/socket.io/');
    const off = stackSpec({ target: 'docker', gatewayReplicas: 2 });
    expect(off.gateway.instances[0]!.launch.env).not.toHaveProperty('GATEWAY_LISTEN_STRATEGY');
    expect(off.static.nginx.stickyPath).toBeUndefined();
  });

  test('is refused where a session could not stay on its gateway, and when it is not a path prefix', () => {
    expect(() => stackSpec({ target: 'kubernetes', stickyPath: '/socket.io/' })).toThrow(/stickyPath on Kubernetes needs one gateway pod/);
    expect(() => stackSpec({ target: 'kubernetes', stickyPath: '/socket.io/', gatewayReplicas: 1, hpaMaxReplicas: 1 })).not.toThrow();
    expect(() => stackSpec({ target: 'docker', staticServer: 'apache', stickyPath: '/socket.io/' })).toThrow(/stickyPath needs the nginx static tier/);
    expect(() => stackSpec({ target: 'docker', stickyPath: 'socket.io' })).toThrow(/stickyPath/);
  });
});
