/**
 * Loading the mounted apps of a worker: import each module, classify its default export (or adopt
 * the server it listens on, when a ListenCapture is given), and keep the routing table the request
 * listener matches against. Runs in workers only: the master never imports app code.
 */
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

  async close(): Promise<void> {
    const closing = this.#apps.map(async (a) => {
      if (a.kind === 'fetch') await a.app.close?.();
      // The adopted server's own 'close' listeners are the app's cleanup (see adopt.ts).
      else if (a.kind === 'server') await new Promise<void>((resolve) => a.server.close(() => resolve()));
    });
    const results = await Promise.allSettled(closing);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  #fetchApps(): Array<{ app: FetchApp; module: string }> {
    return this.#apps.flatMap((a) => (a.kind === 'fetch' ? [{ app: a.app, module: a.module }] : []));
  }
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
}

/**
 * Imports every mounted module and classifies it: a server it listened on during its import wins
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
    const load = () => import(pathToFileURL(file).href) as Promise<unknown>;
    let namespace: unknown;
    try {
      namespace = await (options.capture ? options.capture.run(mount.module, load) : load());
    } catch (error) {
      throw new GatewayError('APP_IMPORT_FAILED', `${mount.module}: ${messageOf(error)}`, { cause: error });
    }
    apps.push({ ...(await classify(namespace, mount.module, options)), prefix, module: mount.module });
  }
  return new MountedApps(apps);
}

async function classify(namespace: unknown, module: string, { capture, listenWaitMs = 0 }: LoadOptions): Promise<DetectedApp> {
  if (!capture) return detectApp(namespace, module);
  const listened = capture.adoptedNow(module);
  if (listened) return { kind: 'server', server: listened };
  try {
    const app = detectApp(namespace, module);
    capture.seal(module);
    return app;
  } catch (error) {
    if (!(error instanceof GatewayError) || error.code !== 'APP_EXPORT_INVALID') throw error;
    const server = await capture.adopted(module, listenWaitMs);
    if (server) return { kind: 'server', server };
    const waited = Math.round(listenWaitMs / 100) / 10;
    throw new GatewayError('APP_EXPORT_INVALID', `${error.detail}, and no http.Server listened within ${waited} s of its import`, { cause: error });
  }
}
