/**
 * What the container targets need to know about each static-tier server, as data: the image it
 * is built from, the user it runs as, its graceful stop signal, and where its rendered config
 * goes. The config itself comes from the one spec through `renderStaticTierConf`.
 */
import { APACHE_MODULES_DIR } from '../apache/render.ts';
import { renderStaticTierConf, type StaticServer } from '../static-tier/servers.ts';
import type { StackSpec } from './spec.ts';

/** One server's image and container facts. */
export interface StaticServerImage {
  /** The kit's Dockerfile, relative to the repository root. */
  dockerfile: string;
  /** Build argument naming the official base image, and its default there. */
  baseImageArg: 'NGINX_IMAGE' | 'HTTPD_IMAGE';
  baseImage: string;
  /** The image's non-root user: nginx's `nginx`, Debian's `www-data` in the httpd image. */
  uid: number;
  /** The server's graceful stop: QUIT for nginx, WINCH ("graceful-stop") for httpd. */
  stopSignal: 'SIGQUIT' | 'SIGWINCH';
  /** Environment the image's entrypoint reads: the config text, the port (health check), the run folder. */
  env: { conf: string; port: string; runDir: string };
  /** Where a mounted config is looked for (Kubernetes ConfigMap), and its file name there. */
  confDir: string;
  confFile: string;
}

export const STATIC_SERVER_IMAGES: Record<StaticServer, StaticServerImage> = {
  nginx: {
    dockerfile: 'nginx/Dockerfile',
    baseImageArg: 'NGINX_IMAGE',
    baseImage: 'nginx:1.27-bookworm',
    uid: 101,
    stopSignal: 'SIGQUIT',
    env: { conf: 'NGINX_CONF', port: 'NGINX_PORT', runDir: 'NGINX_RUN_DIR' },
    confDir: '/etc/nginx/kit',
    confFile: 'nginx.conf',
  },
  apache: {
    dockerfile: 'apache/Dockerfile',
    baseImageArg: 'HTTPD_IMAGE',
    // The official image, pinned to its minor line and Debian release as nginx's is.
    baseImage: 'httpd:2.4-bookworm',
    uid: 33,
    stopSignal: 'SIGWINCH',
    env: { conf: 'APACHE_CONF', port: 'APACHE_PORT', runDir: 'APACHE_RUN_DIR' },
    confDir: '/usr/local/apache2/kit',
    confFile: 'httpd.conf',
  },
};

/**
 * The static tier's config as the container targets run it. Apache loads its modules from the
 * official image's folder, which the stand-in image provides too (scripts/lib/base-image-recipes.ts).
 */
export function containerStaticConf(spec: StackSpec): string {
  return renderStaticTierConf(spec.static.server, spec.static.nginx, { modulesDir: APACHE_MODULES_DIR.official });
}
