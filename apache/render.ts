/**
 * `renderApacheConf(spec, options)`: the static tier's whole httpd.conf for Apache httpd 2.4 (event
 * MPM), from the same `NginxSpec` nginx renders from, so both servers behave alike. Pure (no I/O):
 * one self-contained file that LoadModule's what it needs from `options.modulesDir` and includes no
 * system file (no Debian /etc/apache2, no a2enmod), run as `apache2 -f FILE` in a private folder.
 * docs/static-tier.md maps each nginx directive to the Apache one and says where the two differ.
 */
import { CACHE_CONTROL, FINGERPRINT_PATTERN, formatAddress } from '../nginx/render.ts';
import { GZIP_TYPES, MIME_TYPES } from '../nginx/mime-types.ts';
import { TRACE_CONTEXT, type NginxSpec } from '../nginx/spec.ts';
import { apacheProxyLines } from './proxy.ts';

/** Where each distribution keeps the loadable modules. */
export const APACHE_MODULES_DIR = {
  /** Debian's apache2 package (the local target, the tests here). */
  debian: '/usr/lib/apache2/modules',
  /** The official `httpd:2.4` image (built from source under /usr/local/apache2). */
  official: '/usr/local/apache2/modules',
} as const;

export interface ApacheRenderOptions {
  /** Folder holding mod_*.so; default Debian's. */
  modulesDir?: string;
}

/** Modules the rendered config uses, in load order (the MPM first). */
const MODULES = [
  'mpm_event', 'authz_core', 'mime', 'alias', 'setenvif', 'headers', 'filter', 'deflate',
  'reqtimeout', 'unique_id', 'proxy', 'proxy_http', 'proxy_balancer', 'slotmem_shm', 'lbmethod_byrequests',
] as const;

/** Modules the config needs that Debian builds into the binary: User/Group, LogFormat/CustomLog. */
const BUILT_IN_ON_DEBIAN = ['unixd', 'log_config'] as const;

/** nginx's `512k`/`10m` as bytes, as LimitRequestBody takes them. */
export function sizeInBytes(size: string): number {
  const match = /^(\d+)([km]?)$/.exec(size);
  if (!match) throw new Error(`clientMaxBodySize: not a size: ${size}`);
  const unit = { '': 1, k: 1024, m: 1024 * 1024 }[match[2] as '' | 'k' | 'm'];
  return Number(match[1]) * unit;
}

/** A path segment starting with a dot, except /.well-known/. */
const DOTFILE = '/\\.(?!well-known/)';

const indent = (lines: string[]) => lines.map((line) => (line ? `    ${line}` : line));
const quote = (value: string) => `"${value}"`;

/** Where a log goes: Apache has no `stderr` keyword for ErrorLog in every build, so name the device. */
function logTarget(target: string): string {
  return target === 'stderr' ? '/dev/stderr' : target;
}

function mainLines(spec: NginxSpec, modulesDir: string): string[] {
  const { paths } = spec;
  const [user, group] = (spec.user ?? '').split(' ');
  const listen = 'host' in spec.listen ? formatAddress(spec.listen) : '';
  return [
    `ServerRoot ${quote(paths.runDir)}`,
    // Mutex and shared-memory files: a non-root Apache cannot write the compiled-in run folder.
    `DefaultRuntimeDir ${quote(paths.tempDir ?? paths.runDir)}`,
    `PidFile ${quote(paths.pidFile ?? `${paths.runDir}/httpd.pid`)}`,
    ...MODULES.map((name) => `LoadModule ${name}_module ${quote(`${modulesDir}/mod_${name}.so`)}`),
    // Compiled into Debian's apache2, shared modules in the official image's httpd (built with
    // --enable-mods-shared=reallyall): loaded only where they are not built in.
    ...BUILT_IN_ON_DEBIAN.flatMap((name) => [
      `<IfModule !${name}_module>`,
      `    LoadModule ${name}_module ${quote(`${modulesDir}/mod_${name}.so`)}`,
      '</IfModule>',
    ]),
    '',
    // Apache refuses to serve as root; a root-started Apache drops its children to this user.
    ...(user ? [`User ${user}`, `Group ${group ?? user}`] : []),
    `Listen ${listen}`,
    'ServerName localhost',
    'ServerTokens Prod',
    'ServerSignature Off',
    'TraceEnable Off',
    'HostnameLookups Off',
    'UseCanonicalName Off',
    ...mpmLines(spec),
  ];
}

/** nginx's worker_processes as the event MPM's process count; threads per process stay Apache's 25. */
function mpmLines(spec: NginxSpec): string[] {
  if (spec.workerProcesses === 'auto') return [];
  const n = spec.workerProcesses;
  return [`ServerLimit ${n}`, `StartServers ${n}`, 'ThreadsPerChild 25', `MaxRequestWorkers ${n * 25}`, 'MinSpareThreads 25', `MaxSpareThreads ${n * 25}`];
}

function settingLines(spec: NginxSpec): string[] {
  const t = spec.timeouts;
  const charsetExts = ['css', 'txt', 'xml', 'js', 'mjs', 'json', 'map', 'svg'];
  return [
    // No system mime.types: the kit's table, as nginx gets it.
    'TypesConfig /dev/null',
    ...Object.entries(MIME_TYPES).map(([type, exts]) => `AddType ${type} ${exts.map((e) => `.${e}`).join(' ')}`),
    `AddCharset utf-8 ${charsetExts.map((e) => `.${e}`).join(' ')}`,
    '',
    'KeepAlive On',
    `KeepAliveTimeout ${t.clientKeepaliveSeconds}`,
    'MaxKeepAliveRequests 1000',
    `RequestReadTimeout header=${t.clientHeaderSeconds} body=${t.clientBodySeconds}`,
    `Timeout ${t.sendSeconds}`,
    `LimitRequestBody ${sizeInBytes(spec.clientMaxBodySize)}`,
    // LimitRequestBody does not apply to proxied requests (httpd's input filter skips it when
    // r->proxyreq is set), so a declared length over the limit is refused here, before the proxy.
    // A chunked body has no length to check: the gateway's own maxBodySize refuses it.
    `<If "-n req('Content-Length') && req('Content-Length') -gt ${sizeInBytes(spec.clientMaxBodySize)}">`,
    '    Redirect 413',
    '</If>',
    'FileETag MTime Size',
    '',
    `ErrorLog ${quote(logTarget(spec.paths.errorLog === 'off' ? '/dev/null' : spec.paths.errorLog))}`,
    'LogLevel warn',
    'LogFormat "%a - [%{%Y-%m-%dT%H:%M:%S}t] \\"%r\\" %>s %B rt=%{ms}Tms id=%{X-Request-Id}i" kit',
    ...(spec.paths.accessLog === 'off' ? [] : [`CustomLog ${quote(spec.paths.accessLog)} kit env=!health`]),
    '',
    // Text types only, proxied responses too (nginx's gzip_proxied any); never text/event-stream.
    `AddOutputFilterByType DEFLATE ${GZIP_TYPES.join(' ')}`,
  ];
}

/**
 * The request id and W3C trace context (TRACE_CONTEXT in nginx/spec.ts), as nginx makes them: the
 * server's own id is 32 hex digits, here the MD5 of mod_unique_id's id (nginx's $request_id has
 * that shape); it is the X-Request-Id when the client sent none, and the trace id of a trace
 * started here. Set per request in <Location "/">, after mod_unique_id has made its id.
 */
function requestIdLines(): string[] {
  const valid = TRACE_CONTEXT.pattern.replace(/\//g, '\\/');
  return [
    '<Location "/">',
    '    SetEnvIfExpr "md5(reqenv(\'UNIQUE_ID\')) =~ /^[0-9a-f]{16}([0-9a-f]{16})$/" KIT_REQUEST_ID=$0 KIT_TRACE_PARENT=$1',
    // req_novary: reading a request header must not add it to Vary.
    `    SetEnvIfExpr "req_novary('traceparent') =~ /${valid}/" KIT_TRACE_VALID`,
    '</Location>',
    'SetEnvIf X-Request-Id "^(.+)$" CLIENT_REQUEST_ID=$1',
    'RequestHeader set X-Request-Id "%{KIT_REQUEST_ID}e" env=!CLIENT_REQUEST_ID',
    `RequestHeader set traceparent "00-%{KIT_REQUEST_ID}e-%{KIT_TRACE_PARENT}e-${TRACE_CONTEXT.startedFlags}" env=!KIT_TRACE_VALID`,
    // A tracestate belongs to the traceparent it came with: a trace started here drops it.
    'RequestHeader unset tracestate env=!KIT_TRACE_VALID',
  ];
}

/**
 * Security headers and the request id on every response, errors included. The gateway's own copies
 * are dropped first (`Header unset` works on the proxied headers, `always` on Apache's own), or a
 * proxied response would carry both; an app-owned one is kept and the kit's set only in its absence. Conditions read the environment, not request headers: an
 * expression reading a request header adds it to Vary.
 */
function headerLines(spec: NginxSpec): string[] {
  const owned = new Set(spec.appOwnedHeaders);
  const names = ['X-Request-Id', ...Object.keys(spec.securityHeaders)].filter((name) => !owned.has(name));
  return [
    ...requestIdLines(),
    ...names.map((name) => `Header unset ${name}`),
    'Header always set X-Request-Id "%{CLIENT_REQUEST_ID}e" env=CLIENT_REQUEST_ID',
    // A request refused before its headers were parsed (a 400) has no id of Apache's to report.
    'Header always set X-Request-Id "%{KIT_REQUEST_ID}e" "expr=-z reqenv(\'CLIENT_REQUEST_ID\') && -n reqenv(\'KIT_REQUEST_ID\')"',
    ...Object.entries(spec.securityHeaders).map(([name, value]) => `Header always set ${name} ${quote(value)}${owned.has(name) ? appOwnedCondition(name) : ''}`),
  ];
}

/** appOwnedHeaders (nginx/spec.ts): the kit's value only where the proxied response has none. */
function appOwnedCondition(name: string): string {
  return ` "expr=-z resp('${name}')"`;
}

/** The static tier's own liveness answer, never proxied: a documented non-3xx `RedirectMatch` status. */
function healthLines(spec: NginxSpec): string[] {
  const path = spec.healthPath;
  return [
    `ProxyPass ${quote(path)} !`,
    `SetEnvIf Request_URI "^${path.replace(/\./g, '\\.')}$" health`,
    `RedirectMatch 200 "^${path.replace(/\./g, '\\.')}$"`,
    `<Location ${quote(path)}>`,
    '    ErrorDocument 200 "ok"',
    '    Header always set Content-Type "text/plain"',
    '</Location>',
  ];
}

function staticLines(spec: NginxSpec): string[] {
  const folders = [
    { prefix: '/static/', root: spec.staticRoot, allHashed: false },
    ...spec.immutableAssets.map(({ prefix, root }) => ({ prefix, root, allHashed: true })),
  ];
  return folders.flatMap(({ prefix, root, allHashed }) => {
    const dir = root.replace(/\/?$/, '/');
    return [
      `Alias ${quote(prefix)} ${quote(dir)}`,
      `<Directory ${quote(dir)}>`,
      ...indent([
        'Require all granted',
        // No listing (a folder is a 403), no symlinks out of the build, no .htaccess reads.
        'Options -Indexes',
        'AllowOverride None',
        // Without `always`: Apache drops these on its own error answers; a 404 is never cached a year.
        ...(allHashed
          ? [`Header set Cache-Control ${quote(CACHE_CONTROL.fingerprinted)}`]
          : [
              `Header set Cache-Control ${quote(CACHE_CONTROL.plain)}`,
              `<FilesMatch ${quote(FINGERPRINT_PATTERN)}>`,
              `    Header set Cache-Control ${quote(CACHE_CONTROL.fingerprinted)}`,
              '</FilesMatch>',
            ]),
      ]),
      '</Directory>',
      // The prefix is the web server's alone: whatever is not a file there is its 404, never the app's.
      `ProxyPass ${quote(prefix)} !`,
      '',
    ];
  });
}

/** Spec fields only the nginx renderer has a meaning for yet: refused, never silently dropped. */
const NGINX_ONLY = {
  status: "nginx's stub_status counters (the exporter reads nginx's format); leave it unset for Apache",
  stickyPath: 'the unshared socket.io upstream is rendered for nginx only; leave it unset for Apache',
} as const;

/** The complete httpd.conf for `spec` (validated by `nginxSpec`); throws on a field Apache cannot honour. */
export function renderApacheConf(spec: NginxSpec, options: ApacheRenderOptions = {}): string {
  for (const [field, why] of Object.entries(NGINX_ONLY)) {
    if (spec[field as keyof typeof NGINX_ONLY] !== undefined) throw new Error(`invalid Apache spec: ${field}: ${why}`);
  }
  const modulesDir = options.modulesDir ?? APACHE_MODULES_DIR.debian;
  const lines = [
    '# Rendered by apache/render.ts from the stack spec. Do not edit: change the spec and render again.',
    ...mainLines(spec, modulesDir),
    '',
    ...settingLines(spec),
    '',
    '# Nothing outside the Alias folders is served from disk.',
    '<Directory "/">',
    '    Require all denied',
    '    Options None',
    '    AllowOverride None',
    '</Directory>',
    '',
    ...headerLines(spec),
    '',
    '# Dotfiles (.env, .git/) are neither served nor proxied; /.well-known/ still reaches the app.',
    `ProxyPassMatch ${quote(DOTFILE)} !`,
    `RedirectMatch 404 ${quote(DOTFILE)}`,
    '',
    ...healthLines(spec),
    '',
    ...staticLines(spec),
    ...apacheProxyLines(spec),
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
