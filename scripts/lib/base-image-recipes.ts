/**
 * Recipes of the stand-in base images, as data. No image can be pulled here, so the official
 * `node` and `nginx` images are rebuilt from a Debian bookworm minbase root (debootstrap), the Node
 * binary and npm from the npm registry, and Debian's nginx, laid out like the official images.
 * docs/containers.md lists how they differ. A recipe's hash labels the image, so a changed recipe
 * rebuilds and an unchanged one is skipped.
 */
import { createHash } from 'node:crypto';

export const SUITE = 'bookworm';
/** npm bundled with Node 24.21.0 (its CHANGELOG: "upgrade npm to 11.19.0"). */
export const NPM_VERSION = '11.19.0';
export const RECIPE_LABEL = 'kit.base-image.recipe';
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Image repository and tag of the debootstrap root that both stand-ins start from. */
export const ROOT_REPOSITORY = 'kit-stand-in/bookworm-minbase';

/**
 * What the debootstrap root gets before `docker import`: what Debian's official bookworm image adds
 * (no service starts during apt installs, no apt caches kept).
 */
export const ROOT_TWEAKS = {
  'usr/sbin/policy-rc.d': '#!/bin/sh\n# Like the official Debian images: never start services during package installs.\nexit 101\n',
  'etc/apt/apt.conf.d/docker-clean':
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };\nBinary::apt::APT::Keep-Downloaded-Packages "false";\n',
};

/** `--change` lines of the root's `docker import`. */
export const ROOT_CHANGES = [
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'CMD ["bash"]',
];

/** Dockerfile of the `node` stand-in; its build context holds node, npm/ and ca-certificates.crt. */
export function nodeDockerfile(root: string, nodeVersion: string): string {
  return `FROM ${root}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt ${CA_BUNDLE}
# The official image's user: uid/gid 1000, named node.
RUN groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
# The registry is reached through a TLS-re-signing proxy whose CA is only in the machine's bundle.
ENV NODE_VERSION=${nodeVersion} NODE_EXTRA_CA_CERTS=${CA_BUNDLE}
CMD ["node"]
`;
}

/** Dockerfile of the `nginx` stand-in: Debian's nginx set up like the official image. */
export function nginxDockerfile(root: string): string {
  return `FROM ${root}
COPY apt.sources /etc/apt/sources.list.d/debian.sources
RUN rm -f /etc/apt/sources.list \\
 && groupadd --system --gid 101 nginx \\
 && useradd --system --gid nginx --uid 101 --no-create-home --home-dir /nonexistent --shell /bin/false nginx \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends nginx ca-certificates \\
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/sites-available /var/www \\
 && mkdir -p /etc/nginx/conf.d /usr/share/nginx/html /var/cache/nginx \\
 && chown -R nginx:nginx /var/cache/nginx /var/lib/nginx \\
 && ln -sf /dev/stdout /var/log/nginx/access.log \\
 && ln -sf /dev/stderr /var/log/nginx/error.log
COPY nginx.conf /etc/nginx/nginx.conf
COPY default.conf /etc/nginx/conf.d/default.conf
COPY index.html /usr/share/nginx/html/index.html
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
`;
}

/** The official image's nginx.conf, plus Debian's dynamic-module include. */
export const NGINX_CONF = `user  nginx;
worker_processes  auto;
include /etc/nginx/modules-enabled/*.conf;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';
    access_log  /var/log/nginx/access.log  main;
    sendfile        on;
    keepalive_timeout  65;
    include /etc/nginx/conf.d/*.conf;
}
`;

/** The official image's default server. */
export const NGINX_DEFAULT_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

export const NGINX_INDEX_HTML = '<!DOCTYPE html>\n<title>Welcome to nginx!</title>\n<h1>Welcome to nginx! (kit stand-in image)</h1>\n';

/** Short, stable hash of everything that shapes an image. */
export function recipeHash(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
