/**
 * How a worker learns who it is: the master passes its id, generation and the already-validated
 * settings in one environment variable, so workers never re-parse flags or re-validate.
 */
import type { Mount } from '../interface/index.ts';
import type { Settings } from '../settings/registry.ts';

export const WORKER_ENV = 'KIT_GATEWAY_WORKER';

export interface WorkerBoot {
  id: number;
  generation: number;
  settings: Settings;
  configPath?: string;
  /** Where relative module paths are resolved (the master's working directory). */
  cwd: string;
}

export function workerEnv(boot: WorkerBoot): Record<string, string> {
  return { [WORKER_ENV]: JSON.stringify(boot) };
}

export function readWorkerEnv(env: NodeJS.ProcessEnv): WorkerBoot {
  const text = env[WORKER_ENV];
  if (!text) throw new Error(`${WORKER_ENV} is not set: worker/main.ts is started by the gateway master, not by hand`);
  return JSON.parse(text) as WorkerBoot;
}

/** The app at '/' plus every `--mount PREFIX=MODULE`. */
export function mountsOf(settings: Settings): Mount[] {
  const mounts: Mount[] = settings.app ? [{ prefix: '/', module: settings.app }] : [];
  for (const spec of settings.mounts) {
    const at = spec.indexOf('=');
    mounts.push({ prefix: spec.slice(0, at), module: spec.slice(at + 1) });
  }
  return mounts;
}
