/**
 * The static tier on Docker: the nginx (or Apache httpd) container in front of the gateway
 * containers. It gets its rendered config through the environment, because a read-only root rules
 * out copying a file in.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { StackSpec } from '../spec.ts';
import { STATIC_SERVER_IMAGES } from '../static-servers.ts';
import { containerNetwork, hardenedContainer } from './docker-hardening.ts';

/** Inputs of `DockerStatic`. */
export interface DockerStaticArgs {
  spec: StackSpec;
  image: pulumi.Input<string>;
  /** The server's config rendered from the spec (infra/static-servers.ts `containerStaticConf`). */
  nginxConf: string;
  network?: docker.Network;
  /** Start only after these (the gateway containers), so nginx's first requests find an upstream. */
  dependsOn?: pulumi.Resource[];
  /**
   * Ids of the gateway containers nginx reaches by name (bridge mode). nginx resolves those names
   * once, at start-up; a replaced gateway container gets a new address, so a changed id must
   * recreate nginx too, or it would keep proxying to the old address.
   */
  upstreamIds?: pulumi.Input<string>[];
}

/** Health check of the static container: bash's /dev/tcp, since the image need not carry curl. */
export function staticHealthCommand(port: number, path: string): string[] {
  const probe = `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '`;
  return ['CMD', 'bash', '-c', probe];
}

/** The static tier's container, published on the site port of the loopback address only. */
export class DockerStatic extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: DockerStaticArgs, opts?: pulumi.ComponentResourceOptions) {
    super('kit:docker:StaticTier', name, {}, opts);
    const { spec } = args;
    const nginx = spec.static.nginx;
    const server = STATIC_SERVER_IMAGES[spec.static.server];
    const containerName = spec.static.name;
    const bridge = spec.docker.networkMode === 'bridge';
    this.container = new docker.Container(containerName, {
      name: containerName,
      image: args.image,
      envs: [
        `${server.env.conf}=${args.nginxConf}`,
        `${server.env.port}=${nginx.listen.port}`,
        `${server.env.runDir}=${nginx.paths.runDir}`,
        ...(args.upstreamIds ? [pulumi.all(args.upstreamIds).apply((ids) => `UPSTREAM_CONTAINERS=${ids.join(',')}`)] : []),
      ],
      ports: bridge ? [{ internal: nginx.listen.port, external: spec.site.port, ip: spec.site.host }] : undefined,
      healthcheck: { tests: staticHealthCommand(nginx.listen.port, nginx.healthPath), interval: '10s', timeout: '3s', retries: 3, startPeriod: '10s' },
      // The graceful shutdown (nginx: QUIT, httpd: WINCH); TERM stops both at once.
      stopSignal: server.stopSignal,
      stopTimeout: spec.stopGraceSeconds,
      ...hardenedContainer(spec.static.resources, { ...spec.labels, 'app.kubernetes.io/component': 'static' }),
      ...containerNetwork(spec.docker.networkMode, args.network, containerName),
    }, { parent: this, dependsOn: args.dependsOn });
    this.url = pulumi.output(spec.site.url);
    this.registerOutputs({ url: this.url });
  }
}
