/**
 * What the static tier needs to know, as data: `NginxSpec`. Every target (local processes, Docker,
 * Kubernetes) builds one — `infra/spec.ts` derives it from the stack config — and hands it to
 * `renderNginxConf`. `nginxSpec(input)` validates an input and fills the defaults below, so a
 * caller states only what differs between targets (addresses, paths).
 */
import { z } from 'zod';

/** Seconds, as nginx takes them. */
const seconds = (fallback: number) => z.number().int().positive().default(fallback);

const Port = z.number().int().min(1).max(65_535);

/** A host name or IP literal (IPv6 without brackets); nothing nginx would read as syntax. */
const Host = z.string().regex(/^[A-Za-z0-9.:_-]+$/, 'must be a host name or an IP address');

/** An absolute path with no characters that would break out of an nginx directive. */
const Path = z.string().regex(/^\/[^\s;{}'"\\$#]*$/, 'must be an absolute path without spaces, quotes, ; { } $ or #');

/** A log destination: a file path, or `stderr` (error log) / `/dev/stdout` (access log) for containers. */
const LogTarget = z.union([z.literal('stderr'), z.literal('off'), Path]);

const Address = z.object({ host: Host, port: Port });
/** A gateway on this machine bound to a unix socket (`--bind unix:PATH`): no TCP between the tiers. */
const SocketAddress = z.object({ socket: Path });

/**
 * The gateway tier as nginx sees it. The gateway keeps idle connections for 75 s; nginx must give
 * them up sooner, or it would send a request down a connection the gateway is just closing (a 502).
 */
const UpstreamSchema = z.object({
  /** One entry per gateway replica. */
  servers: z.array(z.union([Address, SocketAddress])).min(1),
  /**
   * How host names are resolved. `startup` (default): once, when nginx loads the config — right for
   * IP addresses, `localhost`, Docker container names and Kubernetes ClusterIP Services (stable IP),
   * and the only mode with upstream keep-alive. `{ resolver }`: at request time through that DNS
   * server (e.g. kube-dns's ClusterIP), so nginx starts even when the name does not resolve yet;
   * it costs the upstream keep-alive pool (nginx 1.22 cannot re-resolve inside an `upstream`).
   */
  resolve: z
    .union([z.literal('startup'), z.object({ resolver: Host, validSeconds: seconds(10) })])
    .default('startup'),
  /** Idle keep-alive connections each nginx worker keeps to the gateway. */
  keepaliveConnections: z.number().int().positive().default(32),
  /** Must stay below the gateway's keep-alive timeout (75 s). */
  keepaliveTimeoutSeconds: seconds(60).refine((s) => s < 75, 'must be below the gateway keep-alive timeout (75 s)'),
  /** Passive health: this many failures within failTimeoutSeconds take a replica out for that long. */
  maxFails: z.number().int().min(0).default(3),
  failTimeoutSeconds: seconds(10),
  /** Attempts for one idempotent request across replicas (1 = no retry). */
  tries: z.number().int().min(1).max(10).default(3),
});

/** nginx's own timeouts, client side and gateway side. */
const TimeoutsSchema = z.object({
  clientHeaderSeconds: seconds(15),
  clientBodySeconds: seconds(30),
  clientKeepaliveSeconds: seconds(65),
  sendSeconds: seconds(30),
  connectSeconds: seconds(5),
  /** How long nginx waits for the gateway's answer; above the gateway's request timeout. */
  readSeconds: seconds(60),
  /** Give up retrying on other replicas after this long. */
  retrySeconds: seconds(15),
});

/** Where a non-root nginx keeps its files; `runDir` (and `tempDir` when given) must exist and be writable. */
const PathsSchema = z.object({
  runDir: Path,
  pidFile: Path.optional(),
  tempDir: Path.optional(),
  errorLog: LogTarget.default('stderr'),
  accessLog: LogTarget.default('/dev/stdout'),
});

/** A URL path prefix such as `/_next/static/`: slash-delimited plain segments, nothing nginx would parse. */
const UrlPrefix = z.string().regex(/^\/([A-Za-z0-9._~-]+\/)+$/, 'must be a path prefix like /_next/static/ (plain segments, ending with /)');

/** A framework's content-hashed build output (nginx/presets.ts): nginx serves it, the app never sees it. */
const ImmutableAssetsSchema = z.object({ framework: z.string().regex(/^[a-z0-9-]+$/), prefix: UrlPrefix, root: Path });

/** A response header name. */
const HeaderName = z.string().regex(/^[A-Za-z-]+$/);

/** The kit's security headers. Its CSP allows no inline script: a framework preset relaxes it (nginx/presets.ts). */
export const DEFAULT_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'",
};

export const NginxSpecSchema = z.object({
  listen: Address,
  upstream: UpstreamSchema.refine(
    (u) => u.resolve === 'startup' || u.servers.every((server) => 'host' in server),
    'a unix-socket server needs resolve: startup (there is no name to resolve)',
  ),
  /** The folder served under `/static/` (the app build's `dist/static`). */
  staticRoot: Path,
  /** Folders of content-hashed files served under their prefix with an immutable year-long cache. */
  immutableAssets: z.array(ImmutableAssetsSchema).default([]),
  /**
   * The gateway runs the sticky listen strategy for this path (its `stickyPath`, socket.io's
   * `/socket.io/`): requests there go upstream on unshared connections (docs/long-lived-connections.md).
   */
  stickyPath: UrlPrefix.optional(),
  /** Largest request body nginx accepts (larger → 413 before the gateway sees it). */
  clientMaxBodySize: z.string().regex(/^\d+[km]?$/, 'must be a size like 512k or 10m').default('1m'),
  timeouts: TimeoutsSchema.prefault({}),
  paths: PathsSchema,
  /** `user [group]` the workers drop to when nginx starts as root; a non-root nginx ignores it. */
  user: z.string().regex(/^[a-z_][a-z0-9_-]*( [a-z_][a-z0-9_-]*)?$/, 'must be "user" or "user group"').optional(),
  workerProcesses: z.union([z.literal('auto'), z.number().int().positive()]).default('auto'),
  workerConnections: z.number().int().positive().default(1024),
  /**
   * nginx's counters (stub_status) on a server of its own, bound to loopback: the exporter beside
   * nginx (same host, or same pod) reads it; the public server never serves it. Absent: none.
   */
  status: z.object({ port: Port, path: z.string().regex(/^\/[A-Za-z0-9._-]+$/).default('/stub_status') }).optional(),
  /** nginx's own liveness location; answered by nginx, never proxied. */
  healthPath: z.string().regex(/^\/[A-Za-z0-9._-]+$/).default('/nginx-health'),
  /** Added to every response (nginx's own and the gateway's), except as `appOwnedHeaders` says. */
  securityHeaders: z.record(HeaderName, z.string().regex(/^[^"\\\n]*$/)).default(DEFAULT_SECURITY_HEADERS),
  /**
   * Security headers the app may set itself. The rule for every static-tier renderer: a proxied
   * response that carries the header keeps the app's value and gets none of the kit's; any other
   * response (nginx's own files and errors, an app response without it) gets the kit's value. The
   * app knows what its pages need (a framework's CSP with nonces or hashes for its inline
   * scripts, test/frameworks/hydration.int.test.ts); hiding it for the kit's would break them.
   */
  appOwnedHeaders: z.array(HeaderName).default(['Content-Security-Policy']),
}).refine(
  (spec) => spec.appOwnedHeaders.every((name) => name in spec.securityHeaders),
  { message: 'every appOwnedHeaders entry must be one of securityHeaders', path: ['appOwnedHeaders'] },
);

/**
 * W3C trace context at the edge: the rule every static-tier renderer follows, and the gateway
 * checks again (gateway/interface/trace-context.ts).
 * - A `traceparent` matching `pattern` (version 00, lowercase hex, non-zero ids) goes to the
 *   gateway unchanged, with the client's `tracestate`.
 * - Otherwise (none, or invalid) the edge starts a trace: trace-id = the server's 32-hex request
 *   id (nginx's `$request_id`, which is also the X-Request-Id when the client sent none, so the two
 *   match), parent-id = that id's last 16 hex digits (the only random bits nginx has per request;
 *   unique as the id is), flags `startedFlags`. The client's `tracestate` is dropped with it: it
 *   belonged to a trace that is not continued.
 * - `startedFlags` is `01` (sampled): the edge records nothing itself, and a default
 *   OpenTelemetry sampler (parent-based) would record nothing either under `00`, so the app's
 *   sampler decides what is kept (docs/observability.md).
 */
export const TRACE_CONTEXT = {
  pattern: '^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$',
  startedFlags: '01',
} as const;

/** A complete, validated static-tier spec: what `renderNginxConf` takes. */
export type NginxSpec = z.output<typeof NginxSpecSchema>;
/** What a caller writes: the same shape with every defaulted field optional. */
export type NginxSpecInput = z.input<typeof NginxSpecSchema>;

/** Validate `input` and fill defaults; throws an Error naming each bad field. */
export function nginxSpec(input: NginxSpecInput): NginxSpec {
  const parsed = NginxSpecSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid nginx spec: ${problems.join('; ')}`);
}
