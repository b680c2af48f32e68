/**
 * A worker process: the entry node:cluster forks. It plugs the real process (IPC, signals, exit),
 * the HTTP server and the app loader into the worker's lifecycle (worker.ts), and starts it.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { captureListen, loadApps } from '../interface/index.ts';
import { createLog } from '../log.ts';
import type { MasterMessage, WorkerMessage } from '../protocol.ts';
import { readWorkerEnv } from './env.ts';
import { bootMarginMs, createWorker, type WorkerConfigFile, type WorkerPort } from './worker.ts';

const boot = readWorkerEnv(process.env);
const { settings } = boot;

const port: WorkerPort = {
  pid: process.pid,
  send(message: WorkerMessage, sent?: () => void) {
    // The callback runs once the message has left, or with an error if the channel is closed.
    if (process.send) process.send(message, undefined, {}, () => sent?.());
    else sent?.();
  },
  onMessage: (listener) => void process.on('message', (message: MasterMessage) => listener(message)),
  onSignal: (signal, listener) => void process.on(signal, listener),
  onDisconnect: (listener) => void process.on('disconnect', listener),
  onHandoff: (listener) =>
    void process.on('message', (message: MasterMessage, socket?: Socket) => {
      if (message.type === 'connection') listener(message, socket);
    }),
  exit: (code) => process.exit(code),
};

const server = createServer({
  keepAliveTimeout: settings.keepAliveTimeout * 1000,
  headersTimeout: settings.headersTimeout * 1000,
  maxHeaderSize: settings.maxHeaderSize,
  // Node checks headersTimeout (and its 300 s limit for receiving a whole request) only on this
  // interval, 30 s by default: a slowloris would hold its connections that much longer.
  connectionsCheckingInterval: 1000,
});

const logs = createLog({ level: settings.logLevel, file: settings.logFile, base: { worker: boot.id } });

// App modules that listen() themselves get their server adopted instead of bound (adopt.ts); the
// adopted servers hear 'listening' once ours listens.
const capture = captureListen({ onLateRefusal: (error) => logs.log.error({ code: error.code }, error.message) });
capture.exempt(server);

const worker = createWorker({
  boot,
  server,
  port,
  logs,
  loadConfig: async (path) => ((await import(pathToFileURL(path).href)) as { default?: WorkerConfigFile }).default,
  // A module that listens late (after an await) has until shortly before the master's boot
  // deadline (counted from this process's start), so it fails with our error, not the master's kill.
  loadApps: (mounts, options) =>
    loadApps(mounts, {
      ...options,
      capture,
      listenWaitMs: settings.bootTimeout * 1000 - bootMarginMs(settings.bootTimeout) - performance.now(),
      onLateError: (error) => logs.log.error({ err: error.cause, code: error.code }, error.message),
    }),
  bootStartedAt: 0, // the process start: the master counts bootTimeout from the fork
  onListening: (address) => capture.announce(address),
});
void worker.start();
