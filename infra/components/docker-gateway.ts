/**
 * The gateway tier on Docker: one container per gateway instance of the stack spec, each running
 * the gateway master (PID 1) with its worker pool, health-checked through the admin listener.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { StackSpec } from '../spec.ts';
import { containerNetwork, hardenedContainer } from './docker-hardening.ts';
import { GATEWAY_ENTRY } from '../gateway-launch.ts';

/** Inputs of `DockerGateway`. */
export interface DockerGatewayArgs {
  spec: StackSpec;
  image: pulumi.Input<string>;
  /** The user-defined bridge; absent with host networking. */
  network?: docker.Network;
}

/** The command a health check runs inside the gateway container (no curl in the image). */
export function gatewayHealthCommand(adminPort: number): string[] {
  return ['CMD', 'node', GATEWAY_ENTRY, 'health', '--admin-bind', `127.0.0.1:${adminPort}`];
}

/** Gateway containers, named after the spec's instances (nginx's upstreams use those names). */
export class DockerGateway extends pulumi.ComponentResource {
  readonly containers: docker.Container[];

  constructor(name: string, args: DockerGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super('kit:docker:GatewayTier', name, {}, opts);
    const { spec } = args;
    const gw = spec.gateway;
    this.containers = gw.instances.map((instance) => new docker.Container(instance.name, {
      name: instance.name,
      image: args.image,
      command: instance.launch.args,
      envs: Object.entries(instance.launch.env).map(([key, value]) => `${key}=${value}`),
      healthcheck: { tests: gatewayHealthCommand(instance.adminPort), interval: '10s', timeout: '5s', retries: 3, startPeriod: '30s' },
      // TERM is the gateway's graceful stop; give it the drain time before Docker sends KILL.
      stopSignal: 'SIGTERM',
      stopTimeout: spec.stopGraceSeconds,
      destroyGraceSeconds: spec.stopGraceSeconds,
      ...hardenedContainer(gw.resources, { ...spec.labels, 'app.kubernetes.io/component': 'gateway' }),
      ...containerNetwork(spec.docker.networkMode, args.network, instance.name),
    }, { parent: this }));
    this.registerOutputs({ names: this.containers.map((c) => c.name) });
  }
}
