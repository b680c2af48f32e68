/**
 * Loading the mounted apps of a worker: import each module, classify its default export (or adopt
 * the server it listens on, when a ListenCapture is given), and keep the routing table the request
 * listener matches against. Runs in workers only: the master never imports app code.
 */
import type { Server } from 'node:http';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GatewayError } from '../errors.ts';
import type { ListenCapture } from './adopt.ts';
import { detectApp, type DetectedApp } from './detect.ts';
import { normalizePrefix, sortRoutes, type Route } from './mount.ts';
import type { AppKind, AppSet, FetchApp, Mount } from './types.ts';

/** A mounted, classified app: what a route points at. */
export type MountedApp = DetectedApp & { prefix: string; module: string };

/** The AppSet the worker holds; createRequestListener reads `routes`. */
export class MountedApps implements AppSet {
  readonly kinds: ReadonlyArray<AppKind>;
  /** Longest prefix first. */
  readonly routes: ReadonlyArray<Route<MountedApp>>;
  readonly #apps: MountedApp[];
  readonly #closing = new Map<Server, Promise<void>>();

  constructor(apps: MountedApp[]) {
    this.#apps = apps;
    this.kinds = apps.map((a) => a.kind);
    this.routes = sortRoutes(apps.map((a) => ({ prefix: a.prefix, target: a })));
  }

  async init(ctx: { workerId: number }): Promise<void> {
    for (const app of this.#fetchApps()) {
      try {
        await app.app.init?.(ctx);
      } catch (error) {
        throw new GatewayError('APP_INIT_FAILED', `${app.module}: ${messageOf(error)}`, { cause: error });
      }
    }
  }

  /**
   * Tells every app the worker is draining, all of them even when one throws: each fetch app's
   * `drain()`, and each server app's `http.Server` is closed as `server.close()` closes a server
   * (`listening` turns false, 'close' is emitted on the next tick), which is what a Node app
   * already listens for: engine.io (socket.io) closes its clients' transports on it, and so can
   * the app's own `server.on('close')`.
   */
  async drain(): Promise<void> {
    await settleAll([...this.#fetchApps().map(async (a) => a.app.drain?.()), ...this.#servers().map((server) => this.#closeServer(server))]);
  }

  async close(): Promise<void> {
    await settleAll(
      this.#apps.map(async (a) => {
        if (a.kind === 'fetch') await a.app.close?.();
        else if (a.kind === 'server') await this.#closeServer(a.server);
      }),
    );
  }

  /** Once per server: a drain closes it first, and a second close() would emit 'close' again. */
  #closeServer(server: Server): Promise<void> {
    let closing = this.#closing.get(server);
    if (!closing) {
      // Not listening (exported) or adopted (adopt.ts), so nothing of the gateway's is stopped here;
      // an exported server's callback gets ERR_SERVER_NOT_RUNNING, which only says so.
      closing = new Promise<void>((resolve) => server.close(() => resolve()));
      this.#closing.set(server, closing);
    }
    return closing;
  }

  #servers(): Server[] {
    return this.#apps.flatMap((a) => (a.kind === 'server' ? [a.server] : []));
  }

  #fetchApps(): Array<{ app: FetchApp; module: string }> {
    return this.#apps.flatMap((a) => (a.kind === 'fetch' ? [{ app: a.app, module: a.module }] : []));
  }
}

/** Waits for every one; rethrows the first failure. */
async function settleAll(work: Array<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Builds an AppSet from default exports already in hand (tests, benchmarks, embedding). */
export function appSetOf(entries: Array<{ prefix: string; app: unknown; module?: string }>): MountedApps {
  return new MountedApps(
    entries.map(({ prefix, app, module = '<inline>' }) => ({
      ...detectApp({ default: app }, module),
      prefix: normalizePrefix(prefix),
      module,
    })),
  );
}

export interface LoadOptions {
  /** Where relative module paths are resolved. */
  cwd: string;
  /** Adopt the server a module listens on (the worker installs one); without it, exports only. */
  capture?: ListenCapture;
  /** How long a module with no usable export may take to call listen() (after an await). */
  listenWaitMs?: number;
  /** An adopted module's import that fails after it listened (the worker is serving by then). */
  onLateError?: (error: GatewayError) => void;
}

/**
 * Imports every mounted module and classifies it: a server it listens on during its import wins
 * (it may carry upgrade listeners the export lacks), then its default export, then a server it
 * listens on within `listenWaitMs`.
 * @throws GatewayError APP_IMPORT_FAILED (the import threw), APP_EXPORT_INVALID (unusable export,
 *   no listen), APP_LISTEN_REFUSED (see adopt.ts), CONFIG_INVALID (bad or duplicate prefix)
 */
export async function loadApps(mounts: Mount[], options: LoadOptions): Promise<MountedApps> {
  const apps: MountedApp[] = [];
  for (const mount of mounts) {
    const prefix = normalizePrefix(mount.prefix);
    const file = isAbsolute(mount.module) ? mount.module : resolve(options.cwd, mount.module);
    apps.push({ ...(await loadApp(mount.module, pathToFileURL(file).href, options)), prefix, module: mount.module });
  }
  return new MountedApps(apps);
}

type Outcome = { namespace: unknown } | { error: unknown };

async function loadApp(module: string, url: string, options: LoadOptions): Promise<DetectedApp> {
  const { capture, listenWaitMs = 0 } = options;
  const importFailed = (error: unknown) => new GatewayError('APP_IMPORT_FAILED', `${module}: ${messageOf(error)}`, { cause: error });
  const load = () => import(url) as Promise<unknown>;
  const outcome: Promise<Outcome> = (capture ? capture.run(module, load) : load()).then(
    (namespace) => ({ namespace }),
    (error: unknown) => ({ error }),
  );
  if (!capture) {
    const loaded = await outcome;
    if ('error' in loaded) throw importFailed(loaded.error);
    return detectApp(loaded.namespace, module);
  }
  // A module may await its own listen() at top level (Fastify's docs do): its import then ends
  // only after the gateway listens, so a listen ends this wait as well as the import does.
  const server = await capture.adopted(module, { until: outcome });
  if (server) {
    // A throw or a second listen right after the first (the same import, a tick later) still
    // fails the boot.
    const early = await Promise.race([outcome, new Promise<undefined>((r) => setImmediate(r, undefined))]);
    if (early && 'error' in early) throw importFailed(early.error);
    capture.adoptedNow(module);
    void outcome.then((late) => {
      if ('error' in late) options.onLateError?.(importFailed(late.error));
    });
    return { kind: 'server', server };
  }
  const loaded = await outcome;
  if ('error' in loaded) throw importFailed(loaded.error);
  const listened = capture.adoptedNow(module);
  if (listened) return { kind: 'server', server: listened };
  try {
    const app = detectApp(loaded.namespace, module);
    capture.seal(module);
    return app;
  } catch (error) {
    if (!(error instanceof GatewayError) || error.code !== 'APP_EXPORT_INVALID') throw error;
    const late = await capture.adopted(module, { timeoutMs: listenWaitMs });
    if (late) return { kind: 'server', server: late };
    const waited = Math.round(listenWaitMs / 100) / 10;
    throw new GatewayError('APP_EXPORT_INVALID', `${error.detail}, and no http.Server listened within ${waited} s of its import`, { cause: error });
  }
}
