/**
 * The proxy half of the Apache config: everything that is not a static file goes to the gateway
 * through mod_proxy_http, over pooled keep-alive connections, with WebSocket upgrades and
 * unbuffered streams, and the forwarded headers the gateway trusts from its proxy.
 */
import type { NginxSpec } from '../nginx/spec.ts';

type Server = NginxSpec['upstream']['servers'][number];

/** The worker URL mod_proxy takes: `http://host:port/`, or `unix:PATH|http://localhost/` for a socket. */
export function apacheWorkerUrl(server: Server): string {
  if ('socket' in server) return `unix:${server.socket}|http://localhost/`;
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `http://${host}:${server.port}/`;
}

/**
 * Parameters of each gateway connection pool. `ttl` below the gateway's 75 s keep-alive, so Apache
 * never reuses a connection the gateway is closing. `retry`: how long a replica that refused a
 * connection is left out; with one replica never (nginx ignores max_fails for a lone server too),
 * or every request would be a 503 for that long after one refused connection.
 */
function workerParams(spec: NginxSpec): string {
  const { upstream: u, timeouts: t } = spec;
  const retry = u.servers.length > 1 && u.maxFails > 0 ? u.failTimeoutSeconds : 0;
  const addressTtl = u.resolve === 'startup' ? [] : [`addressttl=${u.resolve.validSeconds}`];
  return [
    'upgrade=websocket',
    `ttl=${u.keepaliveTimeoutSeconds}`,
    `retry=${retry}`,
    `connectiontimeout=${t.connectSeconds}`,
    // Also the idle limit of a WebSocket tunnel: above two of the gateway's ping intervals.
    `timeout=${t.readSeconds}`,
    ...addressTtl,
  ].join(' ');
}

function targetLines(spec: NginxSpec): { target: string; lines: string[] } {
  const { servers, tries } = spec.upstream;
  const params = workerParams(spec);
  if (servers.length === 1) return { target: `"${apacheWorkerUrl(servers[0]!)}" ${params}`, lines: [] };
  return {
    target: '"balancer://gateway/"',
    lines: [
      '<Proxy "balancer://gateway">',
      ...servers.map((server) => `    BalancerMember "${apacheWorkerUrl(server).replace(/\/$/, '')}" ${params}`),
      // Failover happens only when a replica refuses the connection: the request never left.
      `    ProxySet lbmethod=byrequests maxattempts=${tries - 1}`,
      '</Proxy>',
    ],
  };
}

/** ProxyPass and the headers of proxied requests; comes after every `ProxyPass … !` exclusion. */
export function apacheProxyLines(spec: NginxSpec): string[] {
  const { target, lines } = targetLines(spec);
  return [
    // Apache is the edge: the client's address is what Apache saw, never a header the client sent.
    'ProxyAddHeaders Off',
    'ProxyPreserveHost On',
    'ProxyRequests Off',
    'RequestHeader set Host "expr=%{SERVER_NAME}"',
    'RequestHeader set X-Forwarded-For "expr=%{REMOTE_ADDR}"',
    'RequestHeader set X-Forwarded-Proto "expr=%{REQUEST_SCHEME}"',
    'RequestHeader set X-Forwarded-Host "expr=%{SERVER_NAME}"',
    // mod_proxy_http answers a gateway connection that breaks under a request by closing the
    // client's connection for the client to replay; the replay then arrives first on a new client
    // connection, where a broken pooled connection would be a 502. So such requests get a fresh one.
    'SetEnvIf Request_URI "^" proxy-initial-not-pooled',
    '',
    ...lines,
    // Streams (SSE, token streams) are not buffered: mod_proxy_http flushes whenever the gateway
    // has nothing more to read, and text/event-stream is not in the DEFLATE types.
    `ProxyPass "/" ${target}`,
  ];
}
