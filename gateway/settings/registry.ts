/**
 * Every gateway setting, as data (gunicorn's config.py idea without its 3,000 lines). One entry
 * feeds the CLI flag, the `GATEWAY_*` environment variable, the config-file key, validation,
 * `--help` and docs/settings.md. Adding a setting means adding one entry here.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { AUTOSCALE_SETTINGS, type AutoscaleSettings } from '../autoscale/settings.ts';
import { defaultMaxWorkers } from '../system/cpu-budget.ts';

/** How a setting's text form (flag or environment value) is read. */
export type SettingKind = 'string' | 'int' | 'number' | 'seconds' | 'bool' | 'list' | 'address';

export interface SettingEntry<S extends z.ZodType = z.ZodType> {
  kind: SettingKind;
  /** Validates the value once it is typed; its messages name what is wrong. */
  schema: S;
  /** The value when no source sets it; a function when it depends on the machine. */
  default: z.infer<S> | (() => z.infer<S>);
  /** One line for `--help` and the docs. */
  doc: string;
  /** Group heading in `--help` and the docs. */
  group: 'Server' | 'Workers' | 'Supervision' | 'Limits' | 'Autoscaling' | 'Logging' | 'Proxy';
  /** Extra environment variables honoured for this setting, as other servers name them. */
  aliasEnv?: string[];
  /** Only on the command line (meta settings like `--config`). */
  cliOnly?: boolean;
  /** Applied by HUP without a restart; false means a change needs a restart (e.g. sockets). */
  reloadable: boolean;
}

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected HOST:PORT, e.g. 127.0.0.1:8000 or [::1]:8000')
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, 'port must be 0..65535');
/** HOST:PORT, or gunicorn's `unix:PATH` for a unix socket (an absolute path). */
const bindAddress = z.string().superRefine((value, ctx) => {
  if (value.startsWith('unix:')) {
    if (!/^unix:\/[^\0]+$/.test(value)) ctx.addIssue({ code: 'custom', message: 'expected unix:/absolute/path.sock' });
    return;
  }
  const tcp = hostPort.safeParse(value);
  if (!tcp.success) ctx.addIssue({ code: 'custom', message: `${tcp.error.issues[0]?.message ?? 'invalid'}, or unix:/absolute/path.sock` });
});
/** HOST:PORT, or empty for "no listener of its own". */
const optionalHostPort = z.string().superRefine((value, ctx) => {
  if (value === '') return;
  const tcp = hostPort.safeParse(value);
  if (!tcp.success) ctx.addIssue({ code: 'custom', message: `${tcp.error.issues[0]?.message ?? 'invalid'}, or empty for none` });
});
const count = z.number().int('expected a whole number').min(1, 'must be at least 1');
const zeroOrMore = z.number().int('expected a whole number').min(0, 'must be 0 or more');
const seconds = z.number().min(0, 'must be 0 or more seconds');

function isAddressOrCidr(text: string): boolean {
  if (text === '*') return true;
  const [address = '', bits, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

function entry<S extends z.ZodType>(e: SettingEntry<S>): SettingEntry<S> {
  return e;
}

/** The autoscaling policy's tuning (gateway/autoscale/settings.ts), as registry entries. */
const AUTOSCALE = Object.fromEntries(
  AUTOSCALE_SETTINGS.map((spec) => [
    spec.name,
    entry({
      // A schema that refuses 0.5 takes whole numbers only.
      kind: spec.schema.safeParse(0.5).success ? 'number' : 'int',
      schema: spec.schema,
      default: spec.default,
      doc: spec.doc,
      group: 'Autoscaling',
      reloadable: true,
    }),
  ]),
) as unknown as { [K in keyof AutoscaleSettings]: SettingEntry<z.ZodType<AutoscaleSettings[K]>> };

export const SETTINGS = {
  config: entry({
    kind: 'string', schema: z.string(), default: '', group: 'Server', cliOnly: true, reloadable: false,
    doc: 'Config file (gateway.config.ts) with settings and hooks; ./gateway.config.ts when it exists.',
  }),
  checkConfig: entry({
    kind: 'bool', schema: z.boolean(), default: false, group: 'Server', cliOnly: true, reloadable: false,
    doc: 'Validate the settings and load the app once, then exit 0 (or 2/4 naming the problem).',
  }),
  app: entry({
    kind: 'string', schema: z.string(), default: '', group: 'Server', reloadable: true,
    doc: "The app module mounted at '/' (the first positional argument).",
  }),
  mounts: entry({
    kind: 'list', group: 'Server', reloadable: true, default: [],
    schema: z.array(z.string().regex(/^\/[^=]*=.+$/, 'expected PREFIX=MODULE, e.g. /api=./api.ts')),
    doc: 'More apps by path prefix, PREFIX=MODULE (repeatable); longest prefix wins.',
  }),
  bind: entry({
    kind: 'address', schema: bindAddress, default: '127.0.0.1:8000', group: 'Server', reloadable: false,
    doc: 'Address the workers serve HTTP on: HOST:PORT, or unix:/path.sock for a unix socket (a stale socket file is replaced).',
  }),
  socketMode: entry({
    kind: 'string', schema: z.string().regex(/^0?[0-7]{3}$/, 'expected an octal file mode such as 660'), default: '660',
    group: 'Server', reloadable: false,
    doc: 'Permissions of the unix socket file with a unix: bind (octal); the proxy must be able to write to it.',
  }),
  adminBind: entry({
    kind: 'address', schema: hostPort, default: '127.0.0.1:9000', group: 'Server', reloadable: false,
    doc: 'Address of the admin listener (/healthz, /readyz, /status, /metrics); never expose it publicly.',
  }),
  metricsBind: entry({
    kind: 'address', schema: optionalHostPort, default: '', group: 'Server', reloadable: false,
    doc: 'Address of a listener serving GET /metrics alone, for a scraper that must not reach the admin listener (POST /workers); empty: /metrics on the admin listener only.',
  }),
  listenStrategy: entry({
    kind: 'string', schema: z.enum(['round-robin', 'shared', 'reuse-port', 'sticky']), default: 'shared', group: 'Server',
    reloadable: false,
    doc: 'round-robin: the master accepts and hands connections out; shared: workers accept on one shared socket; reuse-port: one SO_REUSEPORT socket per worker; sticky: the master hands each connection to the worker owning the session it names, for socket.io long-polling (docs/listen-strategies.md).',
  }),
  stickyPath: entry({
    kind: 'string', group: 'Server', reloadable: false, default: '/socket.io/',
    schema: z.string().regex(/^\/([A-Za-z0-9._~-]+\/)+$/, 'expected a path prefix like /socket.io/ (plain segments, ending with /)'),
    doc: "With listenStrategy sticky: requests under this path are routed by their session id (sid=), socket.io's path by default (docs/long-lived-connections.md).",
  }),
  workers: entry({
    kind: 'int', schema: count, default: () => defaultMaxWorkers(), group: 'Workers', aliasEnv: ['WEB_CONCURRENCY'],
    reloadable: true, doc: 'Fixed pool size (or the initial size when autoscaling); default: the CPUs this process may use.',
  }),
  minWorkers: entry({
    kind: 'int', schema: count.optional(), default: undefined, group: 'Autoscaling', reloadable: true,
    doc: 'Autoscaling lower bound; with maxWorkers different from it, the pool autoscales.',
  }),
  maxWorkers: entry({
    kind: 'int', schema: count.optional(), default: undefined, group: 'Autoscaling', reloadable: true,
    doc: 'Autoscaling upper bound; default when minWorkers is set: the CPUs this process may use.',
  }),
  timeout: entry({
    kind: 'seconds', schema: z.number().min(1, 'must be at least 1 second'), default: 30, group: 'Supervision',
    reloadable: true, doc: 'A worker whose event loop is silent this long is killed and replaced.',
  }),
  gracefulTimeout: entry({
    kind: 'seconds', schema: seconds, default: 30, group: 'Supervision', reloadable: true,
    doc: 'Time a draining worker has to finish in-flight requests before SIGKILL.',
  }),
  bootTimeout: entry({
    kind: 'seconds', schema: z.number().min(1, 'must be at least 1 second'), default: 30, group: 'Supervision',
    reloadable: true, doc: 'Time a worker has to load the app and finish its init(): an init() still pending stops the gateway (exit 4); a worker stuck elsewhere is killed and replaced.',
  }),
  drainDelay: entry({
    kind: 'seconds', schema: seconds, default: 0, group: 'Supervision', reloadable: true,
    doc: 'On TERM, keep serving this long with /readyz at 503 before closing listeners (lets load balancers notice).',
  }),
  requestTimeout: entry({
    kind: 'seconds', schema: seconds, default: 0, group: 'Limits', reloadable: true,
    doc: 'Per-request deadline: past it the client gets 504 and ctx.signal aborts; once the response has started, an idle limit (a stream that keeps writing is never cut) (0 = off).',
  }),
  maxRequests: entry({
    kind: 'int', schema: zeroOrMore, default: 0, group: 'Supervision', reloadable: true,
    doc: 'Recycle a worker after this many requests (0 = never); the replacement is ready first.',
  }),
  maxRequestsJitter: entry({
    kind: 'int', schema: zeroOrMore, default: 0, group: 'Supervision', reloadable: true,
    doc: 'Add a random 0..N to maxRequests per worker so they do not all recycle at once.',
  }),
  maxMemory: entry({
    kind: 'int', schema: zeroOrMore, default: 0, group: 'Supervision', reloadable: true,
    doc: 'Recycle a worker whose RSS exceeds this many MiB (0 = never).',
  }),
  wsPingInterval: entry({
    kind: 'seconds', schema: seconds.max(60, 'must be at most 60 s (nginx closes a tunnel idle for 60 s)'), default: 25,
    group: 'Limits', reloadable: true,
    doc: 'Heartbeat: a WebSocket silent for half this gets a ping, and is closed if still silent an interval later: within two of its last byte (0 = off).',
  }),
  wsCloseCode: entry({
    kind: 'int', schema: z.number().int().refine((c) => (c >= 1000 && c <= 1014 && ![1004, 1005, 1006].includes(c)) || (c >= 3000 && c <= 4999), 'must be a WebSocket close code a server may send (1000-1014 except 1004-1006, or 3000-4999)'),
    default: 1012, group: 'Limits', reloadable: true,
    doc: 'Close code a draining worker sends its WebSockets: 1012 "service restart" tells clients to reconnect.',
  }),
  keepAliveTimeout: entry({
    kind: 'seconds', schema: seconds, default: 75, group: 'Limits', reloadable: true,
    doc: "Idle keep-alive time; above nginx's upstream keepalive_timeout (60 s) so nginx closes first.",
  }),
  headersTimeout: entry({
    kind: 'seconds', schema: z.number().min(1, 'must be at least 1 second'), default: 20, group: 'Limits',
    reloadable: true, doc: 'Time a client has to send the request headers.',
  }),
  maxHeaderSize: entry({
    kind: 'int', schema: z.number().int().min(1024, 'must be at least 1024 bytes'), default: 16384, group: 'Limits',
    reloadable: true, doc: 'Largest request line + headers in bytes; larger gets 431.',
  }),
  maxBodySize: entry({
    kind: 'int', schema: zeroOrMore, default: 10 * 1024 * 1024, group: 'Limits', reloadable: true,
    doc: 'Largest request body in bytes; larger gets 413 (0 = no limit).',
  }),
  forwardedAllowIps: entry({
    kind: 'list', schema: z.array(z.string().refine(isAddressOrCidr, 'expected IP addresses or CIDRs (or *)')),
    default: ['127.0.0.1', '::1'], group: 'Proxy',
    aliasEnv: ['FORWARDED_ALLOW_IPS'], reloadable: true,
    doc: "Proxies whose X-Forwarded-* headers are trusted (IPs or CIDRs, '*' for any).",
  }),
  logLevel: entry({
    kind: 'string', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']), default: 'info',
    group: 'Logging', reloadable: true, doc: 'Lowest level logged.',
  }),
  accessLog: entry({
    kind: 'bool', schema: z.boolean(), default: false, group: 'Logging', reloadable: true,
    doc: 'Log one JSON line per request (method, path, status, duration, worker, request id); off as in gunicorn: nginx in front logs every request with the same X-Request-Id.',
  }),
  logFile: entry({
    kind: 'string', schema: z.string(), default: '', group: 'Logging', reloadable: false,
    doc: 'Write logs to this file instead of stdout; USR1 reopens it (for logrotate).',
  }),
  ...AUTOSCALE,
} satisfies Record<string, SettingEntry>;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]: z.infer<(typeof SETTINGS)[K]['schema']> };

/** `maxRequestsJitter` → `--max-requests-jitter` */
export function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `maxRequestsJitter` → `GATEWAY_MAX_REQUESTS_JITTER` */
export function envOf(name: string): string {
  return `GATEWAY_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export function defaultOf(name: SettingName): unknown {
  const d = SETTINGS[name].default;
  return typeof d === 'function' ? (d as () => unknown)() : d;
}
