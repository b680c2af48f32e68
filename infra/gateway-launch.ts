/**
 * How a gateway process is started, described once for every target: the arguments after the
 * gateway's entry point (`node dist/gateway/cli.js`, the image's ENTRYPOINT) and the settings the stack
 * decides, as the `GATEWAY_<NAME>` variables of the gateway's own settings registry. Docker passes
 * them as the container's command and env, Kubernetes as the container's args and env, the local
 * stack as the child process's arguments and env: a setting added here reaches all three.
 */
import { splitHostPort } from '../gateway/settings/address.ts';
import { SETTINGS, envOf, type SettingName } from '../gateway/settings/registry.ts';
import { formatAddress } from '../nginx/render.ts';

/**
 * The gateway's entry point, relative to the project folder (the image's working directory): the
 * compiled build (`npm run build`), since Node's run-time type stripping costs every process ~17 MiB.
 */
export const GATEWAY_ENTRY = 'dist/gateway/cli.js';

/** The gateway's own defaults, read from its settings registry so no other file repeats them. */
export const GATEWAY_DEFAULTS = {
  port: splitHostPort(SETTINGS.bind.default as string)[1],
  adminPort: splitHostPort(SETTINGS.adminBind.default as string)[1],
  gracefulTimeoutSeconds: SETTINGS.gracefulTimeout.default as number,
  drainDelaySeconds: SETTINGS.drainDelay.default as number,
} as const;

/** One gateway process: `node dist/gateway/cli.js ...args` with `env`, in the project folder. */
export interface GatewayLaunch {
  /** Arguments after the entry point: the app module, relative to the project folder. */
  args: string[];
  /** Every setting the stack decides, as `GATEWAY_<NAME>` variables. */
  env: Record<string, string>;
}

/** What the stack decides about one gateway process. */
export interface GatewayLaunchInput {
  appModule: string;
  bind: { host: string; port: number };
  adminBind: { host: string; port: number };
  /** The metrics listener (GET /metrics only); absent: none. */
  metricsBind?: { host: string; port: number };
  workers: { min: number; max: number };
  gracefulTimeoutSeconds: number;
  /** Seconds a TERMed gateway keeps serving with /readyz at 503 before it drains. */
  drainDelaySeconds: number;
  /** Per-worker RSS ceiling in MiB (0 = never recycle on memory). */
  maxWorkerMemoryMb: number;
  /** socket.io's path, routed by session id (the sticky listen strategy); absent: the default strategy. */
  stickyPath?: string;
}

/** The launch description of one gateway process. */
export function gatewayLaunch(input: GatewayLaunchInput): GatewayLaunch {
  const settings: Partial<Record<SettingName, string | number>> = {
    bind: formatAddress(input.bind),
    adminBind: formatAddress(input.adminBind),
    ...(input.metricsBind ? { metricsBind: formatAddress(input.metricsBind) } : {}),
    minWorkers: input.workers.min,
    maxWorkers: input.workers.max,
    gracefulTimeout: input.gracefulTimeoutSeconds,
    drainDelay: input.drainDelaySeconds,
    maxMemory: input.maxWorkerMemoryMb,
    ...(input.stickyPath === undefined ? {} : { listenStrategy: 'sticky', stickyPath: input.stickyPath }),
  };
  return {
    args: [input.appModule],
    env: Object.fromEntries(Object.entries(settings).map(([name, value]) => [envOf(name), String(value)])),
  };
}
