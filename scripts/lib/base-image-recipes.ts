/**
 * Recipes of the stand-in base images, as data. No image can be pulled here, so the official
 * `node`, `nginx` and `httpd` images are rebuilt from a Debian bookworm minbase root (debootstrap),
 * the Node binary and npm from the npm registry, and Debian's nginx and apache2, laid out like the
 * official images.
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

/**
 * Dockerfile of the `httpd` stand-in: Debian's apache2 laid out as the official image, which builds
 * httpd from source under /usr/local/apache2 (bin/httpd, modules/, conf/httpd.conf) and runs
 * `httpd-foreground`. The modules folder is Debian's behind the official path, so one config
 * rendered with the official modules folder (apache/render.ts) loads on both.
 */
export function httpdDockerfile(root: string): string {
  return `FROM ${root}
COPY apt.sources /etc/apt/sources.list.d/debian.sources
RUN rm -f /etc/apt/sources.list \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends apache2 ca-certificates \\
 && rm -rf /var/lib/apt/lists/* /var/www \\
 && mkdir -p /usr/local/apache2/bin /usr/local/apache2/conf /usr/local/apache2/htdocs /usr/local/apache2/logs \\
 && ln -s /usr/lib/apache2/modules /usr/local/apache2/modules \\
 && ln -sf /dev/stdout /usr/local/apache2/logs/access_log \\
 && ln -sf /dev/stderr /usr/local/apache2/logs/error_log
COPY httpd /usr/local/apache2/bin/httpd
COPY httpd-foreground /usr/local/bin/httpd-foreground
COPY httpd.conf /usr/local/apache2/conf/httpd.conf
COPY index.html /usr/local/apache2/htdocs/index.html
ENV HTTPD_PREFIX=/usr/local/apache2 \\
    PATH=/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN chmod 755 /usr/local/apache2/bin/httpd /usr/local/bin/httpd-foreground && httpd -t
WORKDIR /usr/local/apache2
EXPOSE 80
# httpd's graceful stop, as the official image sets it.
STOPSIGNAL SIGWINCH
CMD ["httpd-foreground"]
`;
}

/**
 * The official image's \`httpd\`: a binary whose compiled-in root is /usr/local/apache2. Debian's
 * apache2 defaults to /etc/apache2, so the stand-in names the official defaults first; a later
 * \`-d\`/\`-f\` on the command line wins, as it does for the official binary.
 */
export const HTTPD_WRAPPER = '#!/bin/sh\nexec /usr/sbin/apache2 -d /usr/local/apache2 -f conf/httpd.conf "$@"\n';

/** The official image's start script. */
export const HTTPD_FOREGROUND = '#!/bin/sh\nset -e\n# Apache gets grumpy about PID files pre-existing\nrm -f /usr/local/apache2/logs/httpd.pid\nexec httpd -DFOREGROUND "$@"\n';

/**
 * A short form of the official image's default httpd.conf: the page on port 80 as \`daemon\`. Modules
 * Debian compiles in (unixd, log_config) are shared in the official build, hence the IfModule.
 */
export const HTTPD_CONF = `ServerRoot "/usr/local/apache2"
Listen 80
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
<IfModule !unixd_module>
    LoadModule unixd_module modules/mod_unixd.so
</IfModule>
<IfModule !log_config_module>
    LoadModule log_config_module modules/mod_log_config.so
</IfModule>
User daemon
Group daemon
ServerName localhost
ServerAdmin you@example.com
DocumentRoot "/usr/local/apache2/htdocs"
<Directory />
    AllowOverride none
    Require all denied
</Directory>
<Directory "/usr/local/apache2/htdocs">
    Options Indexes FollowSymLinks
    AllowOverride None
    Require all granted
</Directory>
DirectoryIndex index.html
ErrorLog /proc/self/fd/2
LogLevel warn
LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
CustomLog /proc/self/fd/1 common
TypesConfig /etc/mime.types
`;

export const HTTPD_INDEX_HTML = '<html><body><h1>It works! (kit stand-in image)</h1></body></html>\n';

/** Short, stable hash of everything that shapes an image. */
export function recipeHash(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
