/**
 * A WorkerPort with no process behind it: messages and exits are recorded, and the test plays the
 * master (messages, signals, a lost channel). Pairs with a real http.Server on port 0.
 */
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { appSetOf, type AppSet } from '../../../gateway/interface/index.ts';
import type { LogHandle } from '../../../gateway/log.ts';
import type { MasterMessage, WorkerMessage } from '../../../gateway/protocol.ts';
import { createWorker, type Worker, type WorkerOptions, type WorkerPort, type WorkerSignal } from '../../../gateway/worker/worker.ts';
import { testSettings } from '../master/fake-process-api.ts';

export class FakeWorkerPort implements WorkerPort {
  readonly pid = 4242;
  sent: WorkerMessage[] = [];
  exits: number[] = [];
  #message: Array<(m: MasterMessage) => void> = [];
  #signals = new Map<WorkerSignal, Array<() => void>>();
  #disconnect: Array<() => void> = [];
  #exited: Array<(code: number) => void> = [];

  send(message: WorkerMessage, sent?: () => void): void {
    this.sent.push(message);
    sent?.();
  }
  onMessage(listener: (m: MasterMessage) => void): void {
    this.#message.push(listener);
  }
  onSignal(signal: WorkerSignal, listener: () => void): void {
    this.#signals.set(signal, [...(this.#signals.get(signal) ?? []), listener]);
  }
  onDisconnect(listener: () => void): void {
    this.#disconnect.push(listener);
  }
  onHandoff(): void {}
  exit(code: number): void {
    this.exits.push(code);
    for (const resolve of this.#exited.splice(0)) resolve(code);
  }

  message(m: MasterMessage): void {
    for (const l of this.#message) l(m);
  }
  signal(s: WorkerSignal): void {
    for (const l of this.#signals.get(s) ?? []) l();
  }
  disconnect(): void {
    for (const l of this.#disconnect) l();
  }
  /** Messages of one type, in order. */
  ofType<T extends WorkerMessage['type']>(type: T): Array<Extract<WorkerMessage, { type: T }>> {
    return this.sent.filter((m): m is Extract<WorkerMessage, { type: T }> => m.type === type);
  }
  /** Resolves with the exit code (at once if the worker already exited). */
  exited(): Promise<number> {
    if (this.exits.length > 0) return Promise.resolve(this.exits[0]!);
    return new Promise((resolve) => this.#exited.push(resolve));
  }
  /** Resolves when the worker reports ready. */
  async ready(): Promise<void> {
    while (this.ofType('ready').length === 0) await new Promise((r) => setTimeout(r, 5));
  }
}

const silentLogs = (): LogHandle => ({ log: pino({ level: 'silent' }), access: undefined, reopen: () => {}, flush: () => {} });

export interface WorkerHarness {
  worker: Worker;
  port: FakeWorkerPort;
  server: Server;
  /** The listening address, once ready. */
  url(path?: string): string;
}

/** A worker serving `app` (or what `loadApps` returns) on 127.0.0.1:0 through a fake port. */
export function workerHarness(options: Partial<WorkerOptions> & { app?: unknown; settings?: Parameters<typeof testSettings>[0]; configPath?: string } = {}): WorkerHarness {
  const port = new FakeWorkerPort();
  const server = options.server ?? createServer();
  const apps: AppSet = appSetOf([{ prefix: '/', app: options.app ?? (() => {}) }]);
  const worker = createWorker({
    boot: { id: 7, generation: 1, cwd: process.cwd(), configPath: options.configPath, settings: testSettings({ bind: '127.0.0.1:0', timeout: 30, ...options.settings }) },
    server,
    port,
    logs: silentLogs(),
    loadConfig: async () => undefined,
    loadApps: async () => apps,
    ...options,
  });
  return {
    worker,
    port,
    server,
    url(path = '/') {
      const address = server.address();
      if (!address || typeof address === 'string') throw new Error('the worker is not listening');
      return `http://127.0.0.1:${address.port}${path}`;
    },
  };
}
