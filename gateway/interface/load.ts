/**
 * Loading the mounted apps of a worker: import each module, classify its default export, and keep
 * the routing table the request listener matches against. Runs in workers only: the master never
 * imports app code.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GatewayError } from '../errors.ts';
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
    const results = await Promise.allSettled(this.#fetchApps().map(async (a) => a.app.close?.()));
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

/**
 * Imports every mounted module and classifies its default export.
 * @throws GatewayError APP_IMPORT_FAILED (the import threw), APP_EXPORT_INVALID (unusable export),
 *   CONFIG_INVALID (bad or duplicate prefix)
 */
export async function loadApps(mounts: Mount[], options: { cwd: string }): Promise<MountedApps> {
  const apps: MountedApp[] = [];
  for (const mount of mounts) {
    const prefix = normalizePrefix(mount.prefix);
    const file = isAbsolute(mount.module) ? mount.module : resolve(options.cwd, mount.module);
    let namespace: unknown;
    try {
      namespace = await import(pathToFileURL(file).href);
    } catch (error) {
      throw new GatewayError('APP_IMPORT_FAILED', `${mount.module}: ${messageOf(error)}`, { cause: error });
    }
    apps.push({ ...detectApp(namespace, mount.module), prefix, module: mount.module });
  }
  return new MountedApps(apps);
}
