/**
 * The local stack's settings as data: one row each (flag, environment variable, validator, default,
 * doc) feeds parsing, validation, `--help` and the README's table. Flags beat environment beats
 * defaults. Bad values stop `npm start` with a message that names the setting, before anything starts.
 */
import { z } from 'zod';
import { TIER_METRICS_DEFAULTS } from '../../infra/monitoring.ts';
import { DEFAULTS, LOCAL_RUN_DIR } from '../../infra/spec.ts';
import { DEFAULT_STATIC_SERVER, STATIC_SERVERS, type StaticServer } from '../../static-tier/servers.ts';

const Port = z.coerce.number().int().min(1024, 'must be 1024..65535 (the static tier runs without root)').max(65_535, 'must be 1024..65535');
/** A flag given bare (`--prometheus`) or a variable set to true/false/1/0. */
const Switch = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])], { error: 'must be true or false' }).transform((v) => v === true || v === 'true' || v === '1');
const Count = z.coerce.number().int().min(1, 'must be at least 1').max(64, 'must be at most 64');

/** One setting of `npm start`. */
interface StackSetting {
  flag: string;
  env: string;
  schema: z.ZodType<number | string | boolean>;
  fallback?: number | string | boolean;
  doc: string;
}

export const STACK_SETTINGS = {
  sitePort: { flag: 'site-port', env: 'STACK_SITE_PORT', schema: Port, fallback: DEFAULTS.sitePort, doc: 'port the static tier serves the site on' },
  gatewayPort: { flag: 'gateway-port', env: 'STACK_GATEWAY_PORT', schema: Port, fallback: DEFAULTS.gatewayPort, doc: 'port of the gateway (the static tier proxies to it)' },
  adminPort: { flag: 'admin-port', env: 'STACK_ADMIN_PORT', schema: Port, fallback: DEFAULTS.adminPort, doc: "port of the gateway's admin listener (status, metrics); loopback only, never proxied" },
  minWorkers: { flag: 'min-workers', env: 'STACK_MIN_WORKERS', schema: Count, fallback: DEFAULTS.minWorkers, doc: 'fewest gateway workers' },
  maxWorkers: { flag: 'max-workers', env: 'STACK_MAX_WORKERS', schema: Count, doc: 'most gateway workers (default: the CPU this machine gives the gateway)' },
  app: { flag: 'app', env: 'STACK_APP', schema: z.string().regex(/\.(ts|js|mjs|cjs)$/, 'must be a .ts, .js, .mjs or .cjs module'), fallback: DEFAULTS.appModule, doc: 'app module the gateway loads (default export: a fetch app or a Node listener; or a server.js that calls listen())' },
  staticServer: {
    flag: 'static-server', env: 'STACK_STATIC_SERVER', fallback: DEFAULT_STATIC_SERVER,
    schema: z.enum(STATIC_SERVERS, { error: `must be one of ${STATIC_SERVERS.join(', ')}` }),
    doc: 'web server of the static tier, rendered from the same spec',
  },
  prometheus: {
    flag: 'prometheus', env: 'STACK_PROMETHEUS', schema: Switch, fallback: false,
    doc: "also run Prometheus scraping both tiers (the gateway's metrics port, nginx's exporter) with infra/monitoring/alerts.yaml, data in the run folder",
  },
  prometheusPort: { flag: 'prometheus-port', env: 'STACK_PROMETHEUS_PORT', schema: Port, fallback: 9090, doc: "Prometheus's web UI and API, loopback only (with --prometheus)" },
  metricsPort: { flag: 'metrics-port', env: 'STACK_METRICS_PORT', schema: Port, fallback: TIER_METRICS_DEFAULTS.metricsPort, doc: "the gateway's metrics listener, GET /metrics only (with --prometheus)" },
  nginxStatusPort: { flag: 'nginx-status-port', env: 'STACK_NGINX_STATUS_PORT', schema: Port, fallback: TIER_METRICS_DEFAULTS.nginxStatusPort, doc: "nginx's stub_status server, loopback only (with --prometheus)" },
  exporterPort: { flag: 'exporter-port', env: 'STACK_EXPORTER_PORT', schema: Port, fallback: TIER_METRICS_DEFAULTS.nginxExporterPort, doc: "the nginx exporter's /metrics (with --prometheus)" },
  runDir: { flag: 'run-dir', env: 'STACK_RUN_DIR', schema: z.string().min(1), fallback: LOCAL_RUN_DIR, doc: 'folder for the rendered web server config, pid/lock and temp files' },
} as const satisfies Record<string, StackSetting>;

export type StackSettingName = keyof typeof STACK_SETTINGS;

/** Parsed settings; `maxWorkers` is undefined when left to the stack spec. */
export interface StackSettings {
  sitePort: number;
  gatewayPort: number;
  adminPort: number;
  minWorkers: number;
  maxWorkers: number | undefined;
  app: string;
  staticServer: StaticServer;
  prometheus: boolean;
  prometheusPort: number;
  metricsPort: number;
  nginxStatusPort: number;
  exporterPort: number;
  runDir: string;
}

/** The ports this run binds, by flag: the tiers', and with --prometheus the monitoring ones too. */
export function stackPorts(settings: StackSettings): Record<string, number> {
  return {
    '--site-port': settings.sitePort, '--gateway-port': settings.gatewayPort, '--admin-port': settings.adminPort,
    ...(settings.prometheus ? {
      '--prometheus-port': settings.prometheusPort, '--metrics-port': settings.metricsPort,
      ...(settings.staticServer === 'nginx' ? { '--nginx-status-port': settings.nginxStatusPort, '--exporter-port': settings.exporterPort } : {}),
    } : {}),
  };
}

/** A bad value, named the way the user wrote it. */
export class StackSettingsError extends Error {
  override name = 'StackSettingsError';
}

/** Read flags (minimist-style object) and env into validated settings; throws StackSettingsError. */
export function parseStackSettings(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): StackSettings {
  const known = new Set(['_', '--', 'help', 'h', ...Object.values(STACK_SETTINGS).map((s) => s.flag)]);
  const unknown = Object.keys(flags).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new StackSettingsError(`unknown option --${unknown[0]} (see --help)`);
  const values: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(STACK_SETTINGS) as [StackSettingName, StackSetting][]) {
    const fromFlag = flags[setting.flag];
    const raw = fromFlag ?? env[setting.env] ?? setting.fallback;
    if (raw === undefined) continue;
    const parsed = setting.schema.safeParse(raw);
    if (!parsed.success) {
      const source = fromFlag !== undefined ? `--${setting.flag}` : env[setting.env] !== undefined ? setting.env : name;
      throw new StackSettingsError(`${source}=${String(raw)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    values[name] = parsed.data;
  }
  const settings = values as unknown as StackSettings;
  const ports = stackPorts(settings);
  if (new Set(Object.values(ports)).size !== Object.keys(ports).length) {
    throw new StackSettingsError(`${Object.keys(ports).join(', ')} must differ (got ${Object.values(ports).join(', ')})`);
  }
  if (settings.maxWorkers !== undefined && settings.maxWorkers < settings.minWorkers) {
    throw new StackSettingsError(`--max-workers=${settings.maxWorkers} is below --min-workers=${settings.minWorkers}`);
  }
  return settings;
}

/** The `--help` text, generated from the table. */
export function stackHelp(): string {
  const rows = Object.values(STACK_SETTINGS).map((s: StackSetting) => {
    const fallback = s.fallback === undefined ? '' : ` (default ${s.fallback})`;
    return `  --${s.flag.padEnd(14)} ${s.env.padEnd(20)} ${s.doc}${fallback}`;
  });
  return ['usage: npm start -- [options]', '', '  option           environment          meaning', ...rows].join('\n');
}
