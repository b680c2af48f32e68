/**
 * The two images of the stack, built from the project's Dockerfiles by the local Docker engine
 * and never pushed (a user's own registry is a later step; kind gets them with `kind load`).
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { StaticServer } from '../../static-tier/servers.ts';
import { LAYER_DOCKERFILES, type ImageLayer } from '../app-layers.ts';
import { STATIC_SERVER_IMAGES } from '../static-servers.ts';

/** Inputs of `StackImages`. */
export interface StackImagesArgs {
  /** Full names with tag, from the stack spec. */
  gateway: string;
  /** The static tier's image, built from its server's Dockerfile. */
  nginx: string;
  /** The static tier's server (nginx or apache). */
  server: StaticServer;
  /** Build context: the repository root (both Dockerfiles copy from it). */
  context: string;
  /** Base images, overridable so local stand-ins of the official images can be used. */
  nodeImage?: string;
  nginxImage?: string;
  httpdImage?: string;
  /** The user's app on top of the kit's images (stack spec `app`): each layer builds from its own folder. */
  layers?: { gateway: ImageLayer; nginx: ImageLayer[] };
}

/** Base images the Dockerfiles default to; the container tests build stand-ins with these names. */
export const BASE_IMAGES = {
  node: 'node:24-bookworm-slim',
  nginx: STATIC_SERVER_IMAGES.nginx.baseImage,
  httpd: STATIC_SERVER_IMAGES.apache.baseImage,
} as const;

/** Builds the gateway+app image (root Dockerfile) and the static tier's (nginx/ or apache/Dockerfile). */
export class StackImages extends pulumi.ComponentResource {
  /** Image references to run: the local image id, so a rebuild replaces the containers. */
  readonly gateway: pulumi.Output<string>;
  readonly nginx: pulumi.Output<string>;

  constructor(name: string, args: StackImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('kit:docker:StackImages', name, {}, opts);
    const server = STATIC_SERVER_IMAGES[args.server];
    const staticBase = args.server === 'apache' ? args.httpdImage ?? BASE_IMAGES.httpd : args.nginxImage ?? BASE_IMAGES.nginx;
    const nodeArgs = { NODE_IMAGE: args.nodeImage ?? BASE_IMAGES.node };
    // Host networking for the build: `npm ci` must reach the registry on machines without a bridge.
    const build = { context: args.context, network: 'host' };
    const gateway = new docker.Image(`${name}-gateway`, {
      imageName: args.gateway,
      build: { ...build, args: nodeArgs, dockerfile: `${args.context}/Dockerfile` },
      skipPush: true,
    }, { parent: this });
    // Named after the server, so the default nginx keeps its resource name.
    const nginx = new docker.Image(`${name}-${args.server}`, {
      imageName: args.nginx,
      build: { ...build, args: { ...nodeArgs, [server.baseImageArg]: staticBase }, dockerfile: `${args.context}/${server.dockerfile}` },
      skipPush: true,
    }, { parent: this });
    const layers = args.layers;
    const gatewayTop = layers
      ? this.#layer(`${name}-app-gateway`, gateway, layers.gateway, `${args.context}/${LAYER_DOCKERFILES.gateway}`)
      : gateway;
    const nginxTop = (layers?.nginx ?? []).reduce(
      (below, layer, i) => this.#layer(`${name}-app-nginx-${i}`, below, layer, `${args.context}/${LAYER_DOCKERFILES.nginx}`),
      nginx,
    );
    // repoDigest is the image id for local images: a changed build yields a new id and rolls the containers.
    this.gateway = pulumi.all([gatewayTop.imageName, gatewayTop.repoDigest]).apply(([image, id]) => id ?? image);
    this.nginx = pulumi.all([nginxTop.imageName, nginxTop.repoDigest]).apply(([image, id]) => id ?? image);
    this.registerOutputs({ gateway: this.gateway, nginx: this.nginx });
  }

  /**
   * One app layer: FROM the image below by name; that image's id goes in as a build argument too,
   * so a rebuilt kit image changes the layer's inputs and `pulumi up` rebuilds it.
   */
  #layer(name: string, below: docker.Image, layer: ImageLayer, dockerfile: string): docker.Image {
    return new docker.Image(name, {
      imageName: layer.image,
      build: {
        context: layer.context,
        dockerfile,
        args: { BASE_IMAGE: layer.from, BASE_IMAGE_ID: pulumi.output(below.repoDigest).apply((id) => id ?? ''), TARGET: layer.target },
      },
      skipPush: true,
    }, { parent: this, dependsOn: [below] });
  }
}
