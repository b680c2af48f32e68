/**
 * A user's own app in the container targets: the server file they run (`server.js`) or a framework's
 * production entry (`.next/standalone/server.js`, `build/index.js`…), found on this machine, goes
 * into a layer on top of the kit's gateway image, and the framework's content-hashed assets into a
 * layer on top of the kit's nginx image, so the same `app` drives local, Docker and Kubernetes.
 * Layers rather than one image per app: the kit's images stay what `npm run build` and its
 * Dockerfiles make, and a user's build never has to sit inside the kit's build context.
 */
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { frameworkBuild } from '../nginx/presets.ts';

/** Where the gateway image's app layer puts the app's folder. */
export const APP_DIR_IN_IMAGE = '/srv/app';
/** Where the nginx image's asset layers put a framework's hashed folders (below it: the URL prefix). */
export const ASSETS_DIR_IN_IMAGE = '/srv/framework';

/** The Dockerfiles of the app layers, relative to the kit's folder. */
export const LAYER_DOCKERFILES = { gateway: 'app-layer.Dockerfile', nginx: 'nginx/app-layer.Dockerfile' } as const;

/** One folder of this machine copied into an image. */
export interface AppLayer {
  /** Docker build context: the folder on this machine. */
  context: string;
  /** Where it lands in the image. */
  target: string;
}

/** What the container targets need to carry a user's app: plain data, part of the stack config. */
export interface AppLayers {
  /** The app's folder (its project, or a framework's self-contained server folder) → APP_DIR_IN_IMAGE. */
  gateway: AppLayer;
  /** The module the gateway loads, inside the gateway image. */
  module: string;
  /** A framework's hashed assets, each served by nginx from `target` under `prefix`. */
  assets: (AppLayer & { framework: string; prefix: string })[];
}

/**
 * The layers for `app` (absolute, or relative to `root`). A framework entry takes its preset's
 * server folder (Next standalone) or its project folder; any other server file takes its project:
 * the nearest folder up from it with a package.json (its node_modules and `"type"` come along).
 * Throws naming the setting when the file is not there.
 */
export function appLayers(app: string, root: string, exists: (path: string) => boolean): AppLayers {
  const file = isAbsolute(app) ? app : resolve(root, app);
  if (!exists(file)) throw new Error(`app: ${file} does not exist (build your app first; the path is relative to ${root})`);
  const framework = frameworkBuild(file, exists);
  const folder = framework
    ? join(framework.project, framework.preset.serverDir ?? '.')
    : projectFolder(dirname(file), exists);
  return {
    gateway: { context: folder, target: APP_DIR_IN_IMAGE },
    module: join(APP_DIR_IN_IMAGE, relative(folder, file)),
    assets: (framework?.assets ?? []).map(({ framework: name, prefix, root: dir }) => ({
      framework: name, prefix, context: dir, target: join(ASSETS_DIR_IN_IMAGE, prefix).replace(/\/$/, ''),
    })),
  };
}

function projectFolder(start: string, exists: (path: string) => boolean): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (exists(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/** A layer as the stack spec carries it: the image it makes, built on `from`. */
export interface ImageLayer extends AppLayer {
  image: string;
  from: string;
}

/**
 * The images the container targets build on top of the kit's two, and the ones each tier runs.
 * nginx gets one layer per asset folder, chained, because a build has a single context.
 */
export function layeredImages(layers: AppLayers, kit: { gateway: string; nginx: string }, project: string, tag: string) {
  const gateway: ImageLayer = { ...layers.gateway, image: `${project}/app-gateway:${tag}`, from: kit.gateway };
  const nginx: ImageLayer[] = [];
  layers.assets.forEach(({ context, target }, i) => {
    const image = i === layers.assets.length - 1 ? `${project}/app-nginx:${tag}` : `${project}/app-nginx-${i}:${tag}`;
    nginx.push({ context, target, image, from: nginx.at(-1)?.image ?? kit.nginx });
  });
  return { gateway, nginx, run: { gateway: gateway.image, nginx: nginx.at(-1)?.image ?? kit.nginx } };
}

/** `docker build` of one layer, for scripts that build without Pulumi (the kind round trip). */
export function layerBuildCommand(layer: ImageLayer, dockerfile: string): string[] {
  return ['docker', 'build', '-f', dockerfile, '--build-arg', `BASE_IMAGE=${layer.from}`, '--build-arg', `TARGET=${layer.target}`, '-t', layer.image, layer.context];
}
