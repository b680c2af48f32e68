/**
 * A worker process: the entry node:cluster forks. It loads the app, serves HTTP until told to
 * drain, and tells the master how it is doing from its own event loop (a blocked loop falls
 * silent, which is how the master spots a hung worker).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { ExitCode, GatewayError, exitCodeOf } from '../errors.ts';
import { callHook, type Hooks, type WorkerView } from '../hooks.ts';
import { createRequestListener, loadApps, type AppSet, type Exchange, type Middleware } from '../interface/index.ts';
import { createLog } from '../log.ts';
import { splitHostPort } from '../settings/address.ts';
import { createWorkerMetrics } from '../metrics/worker-metrics.ts';
import type { MasterMessage, WorkerMessage } from '../protocol.ts';
import { mountsOf, readWorkerEnv } from './env.ts';
import { trackConnections } from './connections.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createRecycler } from './recycle.ts';

const boot = readWorkerEnv(process.env);
const { settings } = boot;
const logs = createLog({ level: settings.logLevel, file: settings.logFile, base: { worker: boot.id } });
const { log } = logs;
const view: WorkerView = { id: boot.id, pid: process.pid, settings };

let hooks: Hooks = {};
let middleware: Middleware[] = [];
let apps: AppSet | undefined;
let inFlight = 0;
let requests = 0;

function send(message: WorkerMessage, sent?: () => void): void {
  // The callback runs once the message has left, or with an error if the channel is closed.
  if (process.send) process.send(message, undefined, {}, () => sent?.());
  else sent?.();
}

/** Tells the master why we cannot boot, waiting for the message to leave before exiting. */
function failBoot(code: string, message: string, exitCode: number): void {
  const done = () => exit(exitCode);
  if (!process.send?.({ type: 'boot-failed', code, message } satisfies WorkerMessage, undefined, {}, done)) done();
}

function hook<K extends keyof Hooks>(name: K, ...args: Parameters<NonNullable<Hooks[K]>>): Promise<void> {
  return callHook(hooks, name, (h, error) => log.error({ err: error, hook: h }, `hook ${h} threw`), ...args);
}

function exit(code: number): never {
  logs.flush();
  process.exit(code);
}

// The heartbeat starts before the app is imported, so a worker that hangs while booting is
// caught by the same silence check as one that hangs while serving.
const recycler = createRecycler(settings, send);
const heartbeat = startHeartbeat({
  intervalMs: Math.min(1000, (settings.timeout * 1000) / 4),
  load: () => ({ requests, inFlight }),
  send,
  metrics: createWorkerMetrics(),
  onBeat: (load) => recycler.checkMemory(load.rss),
});

const server = createServer({
  keepAliveTimeout: settings.keepAliveTimeout * 1000,
  headersTimeout: settings.headersTimeout * 1000,
  maxHeaderSize: settings.maxHeaderSize,
  // Node checks headersTimeout (and its 300 s limit for receiving a whole request) only on this
  // interval, 30 s by default: a slowloris would hold its connections that much longer.
  connectionsCheckingInterval: 1000,
});

// Its 'connection' listener sees every connection; the request observer below reports each request.
const connections = trackConnections(server, { idleGraceMs: 1000 });

function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.on('request', handler);
  const [host, port] = splitHostPort(settings.bind);
  const reusePort = settings.listenStrategy === 'reuse-port';
  server.on('error', (error: NodeJS.ErrnoException) => {
    const detail = `${settings.bind}: ${error.code ?? error.message}`;
    log.error({ err: error }, `cannot listen on ${detail}`);
    failBoot('BIND_FAILED', new GatewayError('BIND_FAILED', detail).message, ExitCode.CONFIG);
  });
  server.listen({ host, port, exclusive: reusePort, reusePort }, () => {
    void hook('postWorkerInit', view).then(() => send({ type: 'ready' }));
  });
}

async function start(): Promise<void> {
  if (boot.configPath) {
    const file = ((await import(pathToFileURL(boot.configPath).href)) as { default?: { hooks?: Hooks; middleware?: Middleware[] } }).default;
    hooks = file?.hooks ?? {};
    middleware = file?.middleware ?? [];
  }
  await hook('postFork', view);
  apps = await loadApps(mountsOf(settings), { cwd: boot.cwd });
  await apps.init({ workerId: boot.id });
  const handler = createRequestListener(apps, {
    workerId: boot.id,
    forwardedAllowIps: settings.forwardedAllowIps,
    requestTimeoutMs: settings.requestTimeout * 1000,
    maxBodyBytes: settings.maxBodySize,
    logger: log,
    accessLog: settings.accessLog,
    middleware,
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
      },
      finished: (info, ex) => {
        inFlight -= 1;
        requests += 1;
        connections.requestFinished(ex.req);
        heartbeat.observe(info.status, info.durationMs);
        recycler.afterRequest(requests);
      },
    },
  });
  serve(handler);
}

function requestView(ex: Exchange) {
  return { method: ex.req.method ?? 'GET', path: ex.originalUrl.split('?')[0] ?? '/', headers: ex.req.headers };
}

/** Stop accepting, finish what is in flight, then exit 0 (the master kills us at the deadline). */
let draining = false;
function drain(): void {
  // TERM, the master's drain message and a lost IPC channel can all arrive: act on the first.
  if (draining) return;
  draining = true;
  log.info({ inFlight }, 'draining');
  connections.drain(() => void finish());
}

async function finish(): Promise<void> {
  await heartbeat.stop();
  await apps?.close().catch((error: unknown) => log.error({ err: error }, "the app's close() failed"));
  await hook('workerExit', view);
  exit(ExitCode.OK);
}

process.on('message', (message: MasterMessage) => {
  if (message.type === 'drain') drain();
  else if (message.type === 'reopen-logs') logs.reopen();
});
process.on('SIGTERM', drain);
for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
  process.on(signal, () => void hook('workerInt', view).finally(() => exit(ExitCode.OK)));
}
process.on('SIGHUP', () => {}); // HUP is the master's (reload); a terminal hang-up must not kill workers.
process.on('SIGUSR1', () => logs.reopen());
// The master is gone (its IPC channel closed): finish what we have and leave, like gunicorn's
// worker noticing its parent changed.
process.on('disconnect', drain);

start().catch((error: unknown) => {
  const known = error instanceof GatewayError ? error : new GatewayError('WORKER_BOOT_FAILED', String(error), { cause: error });
  log.error({ err: error, code: known.code }, known.message);
  failBoot(known.code, known.message, exitCodeOf(known));
});
