/**
 * `renderNginxConf(spec)`: the static tier's whole nginx.conf as one self-contained string, from
 * an `NginxSpec`. Pure (no I/O), so every target renders the same file from its own spec and
 * tests can check the text and then load it into the real `nginx -t`.
 */
import { GZIP_TYPES, MIME_TYPES } from './mime-types.ts';
import { TRACE_CONTEXT, type NginxSpec } from './spec.ts';

/** A fingerprinted file name as `app/build.ts` writes it: `name.<10 hex digits>.ext`. */
export const FINGERPRINT_PATTERN = '\\.[0-9a-f]{10}\\.[A-Za-z0-9]+$';

/** Cache lifetimes: a year for names that change with the content, minutes for the rest. */
export const CACHE_CONTROL = {
  fingerprinted: 'public, max-age=31536000, immutable',
  plain: 'public, max-age=300',
} as const;

/** `host:port`, with brackets for IPv6 literals. */
export function formatAddress(address: { host: string; port: number } | { socket: string }): string {
  if ('socket' in address) return `unix:${address.socket}`;
  const { host, port } = address;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const indent = (lines: string[], depth = 1) => lines.map((line) => (line ? '    '.repeat(depth) + line : line));

/**
 * `add_header` does not inherit into a location that sets its own, so each such location repeats
 * these. Cache-Control goes without `always`: an error page must not be cached for a year.
 */
function headerLines(spec: NginxSpec, cacheControl?: string): string[] {
  const headers = { ...spec.securityHeaders, 'X-Request-Id': '$req_id' };
  const owned = new Set(spec.appOwnedHeaders);
  return [
    ...Object.entries(headers).map(([name, value]) => `add_header ${name} ${owned.has(name) ? kitValueVariable(name) : `"${value}"`} always;`),
    ...(cacheControl ? [`add_header Cache-Control "${cacheControl}";`] : []),
  ];
}

function mainLines(spec: NginxSpec): string[] {
  const { paths } = spec;
  return [
    ...(spec.user ? [`user ${spec.user};`] : []),
    `worker_processes ${spec.workerProcesses};`,
    `pid ${paths.pidFile ?? `${paths.runDir}/nginx.pid`};`,
    `error_log ${paths.errorLog} warn;`,
    '',
    `events { worker_connections ${spec.workerConnections}; }`,
  ];
}

function httpSettingLines(spec: NginxSpec): string[] {
  const temp = spec.paths.tempDir ?? spec.paths.runDir;
  const t = spec.timeouts;
  const types = Object.entries(MIME_TYPES).map(([type, exts]) => `    ${type} ${exts.join(' ')};`);
  return [
    'types {',
    ...types,
    '}',
    'default_type application/octet-stream;',
    'charset utf-8;',
    'charset_types text/css text/plain text/xml application/javascript application/json image/svg+xml;',
    '',
    'server_tokens off;',
    'sendfile on;',
    'tcp_nopush on;',
    `keepalive_timeout ${t.clientKeepaliveSeconds}s;`,
    `client_header_timeout ${t.clientHeaderSeconds}s;`,
    `client_body_timeout ${t.clientBodySeconds}s;`,
    `send_timeout ${t.sendSeconds}s;`,
    `client_max_body_size ${spec.clientMaxBodySize};`,
    '',
    '# A non-root nginx cannot write to the compiled-in /var/lib/nginx: every temp path lives in the run',
    '# folder (nginx creates the last path level itself).',
    `client_body_temp_path ${temp}/client_body_temp;`,
    `proxy_temp_path ${temp}/proxy_temp;`,
    `fastcgi_temp_path ${temp}/fastcgi_temp;`,
    `uwsgi_temp_path ${temp}/uwsgi_temp;`,
    `scgi_temp_path ${temp}/scgi_temp;`,
    '',
    'log_format kit \'$remote_addr - [$time_iso8601] "$request" $status $body_bytes_sent \'',
    '               \'rt=$request_time urt=$upstream_response_time upstream=$upstream_addr id=$req_id\';',
    `access_log ${spec.paths.accessLog}${spec.paths.accessLog === 'off' ? '' : ' kit'};`,
    '',
    'gzip on;',
    'gzip_vary on;',
    'gzip_proxied any;',
    'gzip_min_length 256;',
    `gzip_types ${GZIP_TYPES.join(' ')};`,
    '',
    '# WebSockets: Upgrade and Connection are hop-by-hop, so nginx passes them only when told. An',
    '# ordinary request gets an empty Connection, which nginx does not send: upstream keep-alive',
    '# stays (mapping "" to close would end every upstream connection after one request).',
    'map $http_upgrade $connection_upgrade {',
    '    default upgrade;',
    '    "" "";',
    '}',
    '',
    '# Keep the client\'s X-Request-Id, or make one, so one id follows a request through every tier.',
    'map $http_x_request_id $req_id {',
    '    default $http_x_request_id;',
    '    "" $request_id;',
    '}',
    '',
    ...traceContextLines(),
    '',
    ...appOwnedHeaderLines(spec),
  ];
}

const nginxName = (header: string) => header.toLowerCase().replaceAll('-', '_');
/** The kit's value of an app-owned header: empty (so add_header sends nothing) when the app set one. */
const kitValueVariable = (header: string) => `$kit_${nginxName(header)}`;

/** appOwnedHeaders (nginx/spec.ts): the kit's value only where the upstream's response has none. */
function appOwnedHeaderLines(spec: NginxSpec): string[] {
  return spec.appOwnedHeaders.flatMap((name) => [
    `# ${name}: the app's own wins; nginx's responses and an app's without one get the kit's.`,
    `map $upstream_http_${nginxName(name)} ${kitValueVariable(name)} {`,
    `    "" "${spec.securityHeaders[name]}";`,
    '    default "";',
    '}',
  ]);
}

/** W3C trace context: keep a valid traceparent, else start a trace from $request_id (TRACE_CONTEXT). */
function traceContextLines(): string[] {
  const valid = `"~${TRACE_CONTEXT.pattern}"`;
  return [
    '# W3C trace context: a valid traceparent passes unchanged with its tracestate; otherwise a trace',
    '# starts here, its id the request id (the X-Request-Id when the client sent none), and the',
    "# client's tracestate is dropped. The rule is TRACE_CONTEXT in nginx/spec.ts.",
    'map $http_traceparent $trace_parent {',
    `    ${valid} $http_traceparent;`,
    `    default 00-$request_id-$trace_started_parent-${TRACE_CONTEXT.startedFlags};`,
    '}',
    'map $http_traceparent $trace_state {',
    `    ${valid} $http_tracestate;`,
    '    default "";',
    '}',
    'map $request_id $trace_started_parent {',
    '    "~(?<low>[0-9a-f]{16})$" $low;',
    '}',
  ];
}

/**
 * With `stickyPath` (the gateway's sticky listen strategy, for socket.io long-polling): the gateway
 * routes a connection by the session its first request names, so requests on that path must not
 * share nginx's pooled upstream connections, which carry many clients' requests one after another.
 * They go through an upstream without keep-alive, each on a fresh connection (`Connection: close`
 * unless it is a WebSocket upgrade); with several gateway replicas, a client's address picks its
 * replica, so every request of a session reaches the replica that holds it.
 */
function stickyUpstreamLines(spec: NginxSpec): string[] {
  const u = spec.upstream;
  if (spec.stickyPath === undefined) return [];
  return [
    'map $http_upgrade $connection_upgrade_or_close {',
    '    default upgrade;',
    '    "" close;',
    '}',
    ...(u.resolve !== 'startup'
      ? []
      : [
          'upstream gateway_sticky {',
          ...(u.servers.length > 1 ? ['    hash $remote_addr consistent;'] : []),
          ...u.servers.map((server) => `    server ${formatAddress(server)} max_fails=${u.maxFails} fail_timeout=${u.failTimeoutSeconds}s;`),
          '}',
        ]),
  ];
}

function upstreamLines(spec: NginxSpec): string[] {
  const u = spec.upstream;
  if (u.resolve !== 'startup') return [...stickyUpstreamLines(spec)];
  return [
    ...stickyUpstreamLines(spec),
    '',
    'upstream gateway {',
    ...u.servers.map(
      (server) => `    server ${formatAddress(server)} max_fails=${u.maxFails} fail_timeout=${u.failTimeoutSeconds}s;`,
    ),
    `    keepalive ${u.keepaliveConnections};`,
    `    keepalive_timeout ${u.keepaliveTimeoutSeconds}s;`,
    '    keepalive_requests 10000;',
    '}',
  ];
}

function staticLocationLines(spec: NginxSpec): string[] {
  return [
    '# ^~: no regex location below may send a /static/ path to the app; a missing file is a 404 here.',
    'location ^~ /static/ {',
    `    alias ${spec.staticRoot.replace(/\/?$/, '/')};`,
    '    autoindex off;',
    '    location ~ /\\. { return 404; }',
    `    location ~ "${FINGERPRINT_PATTERN}" {`,
    ...indent(headerLines(spec, CACHE_CONTROL.fingerprinted), 2),
    '    }',
    ...indent(headerLines(spec, CACHE_CONTROL.plain)),
    '}',
  ];
}

/** A framework's hashed build output (nginx/presets.ts): every file there is content-hashed. */
function immutableLocationLines(spec: NginxSpec): string[] {
  return spec.immutableAssets.flatMap(({ framework, prefix, root }) => [
    `# ${framework}'s content-hashed build output; a missing file is a 404 here, never the app's.`,
    `location ^~ ${prefix} {`,
    `    alias ${root.replace(/\/?$/, '/')};`,
    '    autoindex off;',
    '    location ~ /\\. { return 404; }',
    ...indent(headerLines(spec, CACHE_CONTROL.fingerprinted)),
    '}',
    '',
  ]);
}

/** The proxied location: `/`, or the sticky path through its own upstream (stickyUpstreamLines). */
function proxyLocationLines(spec: NginxSpec, sticky = false): string[] {
  const { upstream: u, timeouts: t } = spec;
  const first = u.servers[0];
  const target =
    u.resolve === 'startup' || !first
      ? [`proxy_pass http://${sticky ? 'gateway_sticky' : 'gateway'};`]
      : [
          // A variable in proxy_pass makes nginx resolve the name per request through `resolver`.
          `resolver ${formatResolver(u.resolve.resolver)} valid=${u.resolve.validSeconds}s;`,
          `set $gateway_url "http://${formatAddress(first)}";`,
          'proxy_pass $gateway_url;',
        ];
  return [
    sticky ? `location ^~ ${spec.stickyPath} {` : 'location / {',
    ...indent([
      ...target,
      'proxy_http_version 1.1;',
      'proxy_set_header Upgrade $http_upgrade;',
      `proxy_set_header Connection ${sticky ? '$connection_upgrade_or_close' : '$connection_upgrade'};`,
      'proxy_set_header Host $host;',
      // nginx is the edge: the client's address is what nginx saw, never a header the client sent.
      'proxy_set_header X-Forwarded-For $remote_addr;',
      'proxy_set_header X-Forwarded-Proto $scheme;',
      'proxy_set_header X-Forwarded-Host $host;',
      'proxy_set_header X-Request-Id $req_id;',
      // Replace the client's copies; an empty tracestate is not sent at all.
      'proxy_set_header traceparent $trace_parent;',
      'proxy_set_header tracestate $trace_state;',
      `proxy_connect_timeout ${t.connectSeconds}s;`,
      `proxy_send_timeout ${t.sendSeconds}s;`,
      // Also the idle limit of a WebSocket tunnel: above two of the gateway's ping intervals.
      `proxy_read_timeout ${t.readSeconds}s;`,
      // Streamed responses (SSE, token streams) reach the client as they are written: an app's
      // X-Accel-Buffering: no turns buffering off for its response (never list it in
      // proxy_ignore_headers), no proxy_cache, and text/event-stream is never gzipped (gzip holds
      // back small writes). test/static-tier/streaming.int.test.ts fails if any of that changes.
      // Without `non_idempotent`, nginx never replays a POST that may have reached the gateway.
      'proxy_next_upstream error timeout http_502 http_503 http_504;',
      `proxy_next_upstream_tries ${u.tries};`,
      `proxy_next_upstream_timeout ${t.retrySeconds}s;`,
      // nginx owns these response headers; the gateway's copies would arrive twice (app-owned ones pass).
      ...['X-Request-Id', ...Object.keys(spec.securityHeaders)]
        .filter((name) => !spec.appOwnedHeaders.includes(name))
        .map((name) => `proxy_hide_header ${name};`),
    ]),
    '}',
  ];
}

/** stub_status for the exporter: its own server on loopback, so no public request can reach it. */
function statusServerLines(spec: NginxSpec): string[] {
  if (!spec.status) return [];
  return [
    '',
    '# Connection and request counters for the exporter beside nginx: loopback only, never the public server.',
    'server {',
    ...indent([
      `listen ${formatAddress({ host: '127.0.0.1', port: spec.status.port })};`,
      'server_name _;',
      'access_log off;',
      `location = ${spec.status.path} { stub_status; }`,
      'location / { return 404; }',
    ]),
    '}',
  ];
}

function formatResolver(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The complete nginx.conf for `spec` (validated by `nginxSpec`). */
export function renderNginxConf(spec: NginxSpec): string {
  const server = [
    'server {',
    ...indent([
      `listen ${formatAddress(spec.listen)};`,
      'server_name _;',
      ...headerLines(spec),
      '',
      `location = ${spec.healthPath} {`,
      '    access_log off;',
      '    default_type text/plain;',
      ...indent(headerLines(spec)),
      '    return 200 "ok\\n";',
      '}',
      '',
      '# Dotfiles (.env, .git/) are never served nor proxied; /.well-known/ stays reachable.',
      'location ~ /\\.(?!well-known/) { return 404; }',
      '',
      ...staticLocationLines(spec),
      '',
      ...immutableLocationLines(spec),
      ...(spec.stickyPath === undefined ? [] : [...proxyLocationLines(spec, true), '']),
      ...proxyLocationLines(spec),
    ]),
    '}',
  ];
  const lines = [
    '# Rendered by nginx/render.ts from the stack spec. Do not edit: change the spec and render again.',
    ...mainLines(spec),
    '',
    'http {',
    ...indent([...httpSettingLines(spec), '', ...upstreamLines(spec), '', ...server, ...statusServerLines(spec)]),
    '}',
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
