/**
 * A worker's life as one unit: boot (config file, postFork, load the apps, their init), serve
 * (listen, postWorkerInit, ready), drain (stop accepting, finish in-flight work, close the apps,
 * workerExit) and exit. Everything that touches the process (IPC, signals, exit) goes through a
 * `WorkerPort`, so drain-once and boot failure are unit-tested with a fake port, as the arbiter is
 * with its ProcessApi; worker/main.ts plugs in the real process.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { chmodSync } from 'node:fs';
import { ExitCode, GatewayError, exitCodeOf } from '../errors.ts';
import { callHook, type Hooks, type WorkerView } from '../hooks.ts';
import { UNIX_PEERS, createRequestListener, createUpgradeDispatch, refuseConnect, silenceLateWrites, type AppSet, type Exchange, type Middleware, type Mount } from '../interface/index.ts';
import type { LogHandle } from '../log.ts';
import { createWorkerMetrics } from '../metrics/worker-metrics.ts';
import type { MasterMessage, WorkerMessage } from '../protocol.ts';
import { splitHostPort, unixSocketPath } from '../settings/address.ts';
import { mountsOf, type WorkerBoot } from './env.ts';
import { trackConnections } from './connections.ts';
import { acceptHandoffs, type Handoffs } from './handoff.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createRecycler } from './recycle.ts';
import { loadOtelApi, serverSpans, tracerRegistered } from './server-spans.ts';
import { trackUpgrades } from './upgraded.ts';

/** What the worker needs from its process. */
export interface WorkerPort {
  readonly pid: number;
  /** Sends to the master; `sent` runs once the message has left (at once when there is no channel). */
  send(message: WorkerMessage, sent?: () => void): void;
  /** Messages from the master. */
  onMessage(listener: (message: MasterMessage) => void): void;
  onSignal(signal: WorkerSignal, listener: () => void): void;
  /** The IPC channel closed: the master is gone. */
  onDisconnect(listener: () => void): void;
  /** Sticky strategy: a connection the master hands over (no socket if it closed on the way). */
  onHandoff(listener: (message: { id: number; head: string }, socket: Socket | undefined) => void): void;
  exit(code: number): void;
}

export type WorkerSignal = 'SIGTERM' | 'SIGINT' | 'SIGQUIT' | 'SIGHUP' | 'SIGUSR1';

/** The user's config file as the worker reads it (hooks and middleware run in workers). */
export interface WorkerConfigFile {
  hooks?: Hooks;
  middleware?: Middleware[];
}

export interface WorkerOptions {
  boot: WorkerBoot;
  /** Not yet listening; the worker adds its listeners and listens on `settings.bind`. */
  server: Server;
  port: WorkerPort;
  logs: LogHandle;
  /** Imports `boot.configPath`. */
  loadConfig: (path: string) => Promise<WorkerConfigFile | undefined>;
  loadApps: (mounts: Mount[], options: { cwd: string }) => Promise<AppSet>;
  /**
   * When this worker's boot began, on `performance.now()`'s clock; `bootTimeout` counts from it.
   * The real worker passes 0, its process start, since the master counts from the fork. Default: now.
   */
  bootStartedAt?: number;
  /** The worker serves: what it listens on (the bind's address with the sticky strategy, where the master listens). */
  onListening?: (address: ReturnType<Server['address']>) => void;
}

export interface Worker {
  /** Boots and serves; a boot failure is reported to the master and exits with its code. */
  start(): Promise<void>;
  /**
   * Stop accepting, tell the apps, close WebSockets (`wsCloseCode`) and end event streams, finish
   * what is in flight, then exit 0. `deadlineMs` is when the master kills us (default gracefulTimeout).
   */
  drain(deadlineMs?: number): void;
}

/**
 * How much of `bootTimeout` a worker keeps back when it gives up on a boot step itself (an init()
 * that does not settle, an app that never listens), so its own error reaches the master before the
 * master's kill at the deadline: a quarter, between 0.5 s and 2 s. A fixed 0.5 s was too little on
 * a loaded machine (a fresh-clone CI at load average 19 saw the master kill first, 8 forks in a row).
 */
export function bootMarginMs(bootTimeoutS: number): number {
  return Math.min(2000, Math.max(500, (bootTimeoutS * 1000) / 4));
}

export function createWorker(options: WorkerOptions): Worker {
  const { boot, server, port, logs } = options;
  const { settings } = boot;
  const { log } = logs;
  const view: WorkerView = { id: boot.id, pid: port.pid, settings };
  let hooks: Hooks = {};
  let middleware: Middleware[] = [];
  let apps: AppSet | undefined;
  let inFlight = 0;
  let requests = 0;
  let draining = false;

  const send = (message: WorkerMessage, sent?: () => void) => port.send(message, sent);
  const hook = <K extends keyof Hooks>(name: K, ...args: Parameters<NonNullable<Hooks[K]>>): Promise<void> =>
    callHook(hooks, name, (h, error) => log.error({ err: error, hook: h }, `hook ${h} threw`), ...args);
  const exit = (code: number) => {
    logs.flush();
    port.exit(code);
  };
  /** Tells the master why we cannot boot, waiting for the message to leave before exiting. */
  const failBoot = (code: string, message: string, exitCode: number) =>
    send({ type: 'boot-failed', code, message }, () => exit(exitCode));

  // Sticky strategy: the master listens and hands connections over; this server listens on nothing.
  const handoffs: Handoffs | undefined = settings.listenStrategy === 'sticky'
    ? acceptHandoffs(server, { path: settings.stickyPath, report: (sid, sent) => send({ type: 'session', sid }, sent) })
    : undefined;
  // Its 'connection' listener sees every connection; the request observer below reports each request.
  const connections = trackConnections(server, { idleGraceMs: 1000, ...(handoffs ? { stopAccepting: handoffs.close } : {}) });
  const upgraded = trackUpgrades({ pingIntervalMs: settings.wsPingInterval * 1000 });

  // The heartbeat starts before the app is imported, so a worker that hangs while booting is
  // caught by the same silence check as one that hangs while serving.
  const recycler = createRecycler(settings, send);
  const heartbeat = startHeartbeat({
    intervalMs: Math.min(1000, (settings.timeout * 1000) / 4),
    load: () => ({ requests, inFlight, webSockets: upgraded.open, streams: connections.streams().length }),
    send,
    metrics: createWorkerMetrics(),
    onBeat: (load) => recycler.checkMemory(load.rss),
  });

  server.on('connect', refuseConnect((fields, message) => log.warn(fields, message)));

  function listen(): void {
    const socketPath = unixSocketPath(settings.bind);
    const [host, listenPort] = socketPath === undefined ? splitHostPort(settings.bind) : ['', 0];
    const reusePort = settings.listenStrategy === 'reuse-port';
    server.on('error', (error: NodeJS.ErrnoException) => {
      const detail = `${settings.bind}: ${error.code ?? error.message}`;
      log.error({ err: error }, `cannot listen on ${detail}`);
      failBoot('BIND_FAILED', new GatewayError('BIND_FAILED', detail).message, ExitCode.CONFIG);
    });
    const listening = () => {
      // The master created the socket file (cluster binds there); its mode decides who may connect.
      if (socketPath !== undefined && !handoffs) chmodSync(socketPath, Number.parseInt(settings.socketMode, 8));
      options.onListening?.(server.address() ?? (socketPath ?? { address: host, family: host.includes(':') ? 'IPv6' : 'IPv4', port: listenPort }));
      void hook('postWorkerInit', view).then(() => send({ type: 'ready' }));
    };
    if (handoffs) {
      port.onHandoff(({ id, head }, socket) => {
        // First, so the master closes its copy: from here on the connection is this worker's.
        send({ type: 'connection-taken', id });
        if (socket) handoffs.accept(socket, Buffer.from(head, 'base64'));
      });
      listening();
    } else if (socketPath !== undefined) server.listen({ path: socketPath }, listening);
    else server.listen({ host, port: listenPort, exclusive: reusePort, reusePort }, listening);
  }

  const bootStartedAt = options.bootStartedAt ?? performance.now();
  /**
   * The apps' init(), bounded by bootTimeout. The master SIGKILLs a worker still booting at
   * bootTimeout and forks another, which would hang the same way, forever; giving up a little
   * earlier here (bootMarginMs) lets the master hear why and stop (exit 4).
   */
  async function initWithinBootTimeout(set: AppSet): Promise<void> {
    const leftMs = settings.bootTimeout * 1000 - bootMarginMs(settings.bootTimeout) - (performance.now() - bootStartedAt);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GatewayError(
        'APP_INIT_TIMEOUT', `still pending ${((performance.now() - bootStartedAt) / 1000).toFixed(1)} s into the worker's boot (bootTimeout ${settings.bootTimeout} s, --boot-timeout)`,
      )), Math.max(0, leftMs));
    });
    try {
      await Promise.race([set.init({ workerId: boot.id }), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A server span per request when the app set OpenTelemetry up (by the end of its init); else nothing. */
  function serverSpansStep(): Middleware | undefined {
    const otel = loadOtelApi(mountsOf(settings), boot.cwd);
    if (!otel) return undefined;
    if (!tracerRegistered(otel.api)) {
      log.debug({ api: otel.from }, 'OpenTelemetry API found but no tracer provider registered: no server spans');
      return undefined;
    }
    log.debug({ api: otel.from }, 'OpenTelemetry: a server span per request');
    return serverSpans(otel.api);
  }

  async function bootApps(): Promise<void> {
    if (boot.configPath) {
      const file = await options.loadConfig(boot.configPath);
      hooks = file?.hooks ?? {};
      middleware = file?.middleware ?? [];
    }
    await hook('postFork', view);
    apps = await options.loadApps(mountsOf(settings), { cwd: boot.cwd });
    await initWithinBootTimeout(apps);
    const spans = serverSpansStep();
    // Bound to a unix socket, the peer (nginx) has no address to list: trust it by the socket instead.
    const forwardedAllowIps = unixSocketPath(settings.bind) === undefined ? settings.forwardedAllowIps : [...settings.forwardedAllowIps, UNIX_PEERS];
    const requestView = (ex: Exchange) => ({ method: ex.req.method ?? 'GET', path: ex.originalUrl.split('?')[0] ?? '/', headers: ex.req.headers });
    server.on(
      'request',
      createRequestListener(apps, {
        workerId: boot.id,
        forwardedAllowIps,
        requestTimeoutMs: settings.requestTimeout * 1000,
        maxBodyBytes: settings.maxBodySize,
        logger: log,
        ...(settings.accessLog && logs.access ? { accessLog: logs.access } : {}),
        middleware: spans ? [spans, ...middleware] : middleware,
        hooks: {
          ...(hooks.preRequest ? { preRequest: (ex: Exchange) => hook('preRequest', view, requestView(ex)) } : {}),
          ...(hooks.postRequest
            ? { postRequest: (ex: Exchange, info: { status: number; durationMs: number }) => hook('postRequest', view, requestView(ex), info) }
            : {}),
        },
        observer: {
          started: (ex) => {
            inFlight += 1;
            connections.requestStarted(ex.req, ex.res);
            handoffs?.observe(ex.req, ex.res, ex.originalUrl);
          },
          finished: (info, ex) => {
            inFlight -= 1;
            requests += 1;
            connections.requestFinished(ex.req);
            heartbeat.observe(info.status, info.durationMs);
            recycler.afterRequest(requests);
          },
        },
      }),
    );
    const upgrades = createUpgradeDispatch(apps, {
      workerId: boot.id,
      forwardedAllowIps,
      onUpgraded: (req, socket) => {
        connections.upgraded(socket);
        upgraded.add((req.headers.upgrade ?? '').toLowerCase(), socket);
      },
      warn: (fields, message) => log.warn(fields, message),
    });
    // Only upgrades an app takes leave the request path (Node >= 24 asks this for each one; the
    // option is read from this property, which @types/node does not declare).
    (server as Server & { shouldUpgradeCallback: (req: IncomingMessage) => boolean }).shouldUpgradeCallback = (req) => upgrades.shouldUpgrade(req);
    server.on('upgrade', upgrades.upgrade);
    listen();
  }

  async function finish(): Promise<void> {
    upgraded.stop();
    await heartbeat.stop();
    await apps?.close().catch((error: unknown) => log.error({ err: error }, "the app's close() failed"));
    await hook('workerExit', view);
    exit(ExitCode.OK);
  }

  function drain(deadlineMs = settings.gracefulTimeout * 1000): void {
    // TERM, the master's drain message and a lost IPC channel can all arrive: act on the first.
    if (draining) return;
    draining = true;
    log.info({ inFlight, upgraded: upgraded.open }, 'draining');
    connections.drain(() => void finish());
    void apps?.drain?.().catch((error: unknown) => log.error({ err: error }, "the app's drain() failed"));
    // After the app heard of it: a server app's 'close' comes on the next tick, as from server.close(),
    // and what its listeners send (or how they close their own transports) goes before our frames.
    setImmediate(() => {
      // A client gets a few seconds to answer the close frame: a WebSocket never ends by itself, and
      // one that ignores the frame must not hold the worker until the master's SIGKILL.
      upgraded.drain(settings.wsCloseCode, Math.min(5000, deadlineMs / 2));
      // An event stream never ends by itself either: end it cleanly (EventSource reconnects, resending
      // Last-Event-ID) and let the app's late writes go nowhere.
      for (const res of connections.streams()) {
        res.end();
        silenceLateWrites(res);
      }
    });
  }

  port.onMessage((message) => {
    if (message.type === 'drain') drain(message.deadlineMs);
    else if (message.type === 'reopen-logs') logs.reopen();
  });
  port.onSignal('SIGTERM', () => drain());
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    port.onSignal(signal, () => void hook('workerInt', view).finally(() => exit(ExitCode.OK)));
  }
  port.onSignal('SIGHUP', () => {}); // HUP is the master's (reload); a terminal hang-up must not kill workers.
  port.onSignal('SIGUSR1', () => logs.reopen());
  // The master is gone (its IPC channel closed): finish what we have and leave, like gunicorn's
  // worker noticing its parent changed.
  port.onDisconnect(() => drain());

  return {
    start: () =>
      bootApps().catch((error: unknown) => {
        const known = error instanceof GatewayError ? error : new GatewayError('WORKER_BOOT_FAILED', String(error), { cause: error });
        log.error({ err: error, code: known.code }, known.message);
        failBoot(known.code, known.message, exitCodeOf(known));
      }),
    drain,
  };
}
