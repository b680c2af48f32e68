/**
 * Runs the arbiter for real: real processes, real signals, a real admin port, and a timer that
 * turns the loop once a second (and at once whenever an event arrives).
 */
import type { Server } from 'node:http';
import { createAdminServer, createMetricsServer, type AdminTarget } from '../admin/server.ts';
import { GatewayError } from '../errors.ts';
import { createLog } from '../log.ts';
import { loadSettings, type LoadInput, type LoadedSettings } from '../settings/load.ts';
import { splitHostPort } from '../settings/address.ts';
import { resolvePool } from '../settings/pool.ts';
import { callHook } from '../hooks.ts';
import type { Settings } from '../settings/registry.ts';
import { workerEnv } from '../worker/env.ts';
import { Arbiter, type ArbiterPlugins, type MasterSignal, type Reloaded } from './arbiter.ts';
import { clusterProcessApi } from './process-api.ts';
import { listenSticky, type StickyListener } from './sticky-listener.ts';
import { prepareUnixSocket, removeUnixSocket } from './unix-socket.ts';

const TICK_MS = 1000;
const SIGNALS: MasterSignal[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGTTIN', 'SIGTTOU', 'SIGUSR1'];

/** Extras the default entry point plugs in (autoscaling policy, metrics, status page). */
export interface MasterExtras {
  cpus: number;
  /** Built once the arbiter exists; `current` reads the settings in force (they change on HUP). */
  plugins?: (current: () => Settings) => ArbiterPlugins;
  metrics?: (status: ReturnType<Arbiter['status']>) => Promise<string>;
  statusPage?: () => string;
  version?: string;
}

function listen(server: Server, address: string, setting: 'adminBind' | 'metricsBind'): Promise<void> {
  const [host, port] = splitHostPort(address);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new GatewayError('BIND_FAILED', `${setting} ${address}: ${error.code ?? error.message}`)));
    server.listen(port, host, () => resolve());
  });
}

function toReloaded(loaded: LoadedSettings, cpus: number): Reloaded {
  return { settings: loaded.settings, hooks: loaded.hooks, pool: resolvePool(loaded.settings, 'workers' in loaded.sources, cpus) };
}

/** Starts the master; resolves with its exit status once it has stopped. */
export async function runMaster(loaded: LoadedSettings, input: LoadInput, extras: MasterExtras): Promise<number> {
  const { settings } = loaded;
  const first = toReloaded(loaded, extras.cpus);
  // Before anything is bound or forked, so a bad socket path is a config error (exit 2).
  await prepareUnixSocket(settings);
  const logs = createLog({ level: settings.logLevel, file: settings.logFile, base: { role: 'master' } });
  const { log } = logs;
  if (process.pid === 1) {
    log.warn('running as PID 1: Node cannot reap orphaned grandchildren; run under an init (tini, docker --init)');
  }

  // The sticky strategy's socket is the master's own: bound before any worker exists.
  let sticky: StickyListener | undefined;
  if (settings.listenStrategy === 'sticky') {
    sticky = await listenSticky({
      bind: settings.bind, path: settings.stickyPath, socketMode: settings.socketMode, headersTimeoutMs: settings.headersTimeout * 1000, log,
    });
  }

  let arbiter: Arbiter | undefined;
  const view = { settings, status: () => arbiter!.status() };
  await callHook(loaded.hooks, 'onStarting', (h, e) => log.error({ err: e, hook: h }, `hook ${h} threw`), view);

  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  arbiter = new Arbiter({
    settings,
    pool: first.pool,
    hooks: loaded.hooks,
    log,
    processApi: clusterProcessApi({ roundRobin: settings.listenStrategy === 'round-robin', ...(sticky ? { sticky } : {}) }),
    workerEnv: ({ id, generation }, current) =>
      workerEnv({ id, generation, settings: current, cwd: input.cwd, ...(loaded.configPath ? { configPath: loaded.configPath } : {}) }),
    reload: async () => toReloaded(await loadSettings(input), extras.cpus),
    onDone: (code) => finish(code),
    reopenLogs: () => logs.reopen(),
    ...(extras.plugins ? { plugins: extras.plugins(() => arbiter!.settings) } : {}),
    version: extras.version ?? '',
  });
  const running = arbiter;

  const adminTarget: AdminTarget = {
    isLive: () => running.isLive(TICK_MS * 3),
    isReady: () => running.isReady(),
    status: () => running.status(),
    setTarget: (target) => running.setTarget(target),
    targetBounds: () => running.targetBounds(),
    ...(extras.metrics ? { metrics: () => extras.metrics!(running.status()) } : {}),
    ...(extras.statusPage ? { statusPage: extras.statusPage } : {}),
  };
  const admin = createAdminServer(adminTarget);
  await listen(admin, settings.adminBind, 'adminBind');
  const metrics = settings.metricsBind ? createMetricsServer(adminTarget) : undefined;
  if (metrics) await listen(metrics, settings.metricsBind, 'metricsBind');

  // Signal handlers only enqueue; the loop does the work.
  const handlers = SIGNALS.map((signal) => [signal, () => running.signal(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);

  let scheduled = false;
  const tick = () => {
    scheduled = false;
    running.tick();
  };
  running.wake = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(tick);
    }
  };
  const timer = setInterval(tick, TICK_MS);
  log.info({ bind: settings.bind, admin: settings.adminBind, ...(metrics ? { metrics: settings.metricsBind } : {}), pool: first.pool, strategy: settings.listenStrategy }, 'gateway master started');
  running.tick();

  const code = await done;
  clearInterval(timer);
  for (const [signal, handler] of handlers) process.off(signal, handler);
  await Promise.all([admin, metrics].map((server) => server && new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  })));
  await sticky?.close();
  removeUnixSocket(settings);
  logs.flush();
  return code;
}
