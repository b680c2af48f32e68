/**
 * The gateway container's memory, derived from what a gateway process measurably uses
 * (infra/memory-footprint.json, written by `npm run bench:boot-memory -- --built --app
 * dist/app/server.js --write-infra`) instead of a fixed figure. Memory only: CPU sizing is
 * infra/cpu-budget.ts, kept apart on purpose.
 *
 * The peak we plan for: the master under load, every worker under load, and one freshly booted
 * worker more, because recycling (maxRequests, the memory ceiling, HUP) starts the replacement and
 * waits for it to be ready before the old worker leaves. On top of that, HEADROOM for what one
 * benchmark does not show: the app's own caches and heap growth, larger requests, allocator slack.
 * Below the limit, the per-worker recycling ceiling (GATEWAY_MAX_MEMORY) is what is left for each
 * worker once the master and one replacement are counted, so a worker is recycled before the
 * container is OOM-killed.
 */
import { readFileSync } from 'node:fs';

/** What infra/memory-footprint.json holds: one measurement of the gateway's processes, in MiB. */
export interface MemoryFootprint {
  /** When it was measured (ISO), and the exact command that measured it. */
  measured: string;
  command: string;
  /** The app the workers hosted. */
  app: string;
  masterMiB: { idle: number; load: number };
  /** The largest worker. */
  workerMiB: { idle: number; load: number };
}

/** Extra on top of the measured peak: 25 %. */
export const HEADROOM = 0.25;
/** Limits are rounded up to this many MiB. */
const STEP_MIB = 16;

export const FOOTPRINT: MemoryFootprint = JSON.parse(
  readFileSync(new URL('./memory-footprint.json', import.meta.url), 'utf8'),
) as MemoryFootprint;

/** A gateway container's memory: its limit, and the per-worker recycling ceiling below it. */
export interface GatewayMemory {
  limitMb: number;
  maxWorkerMemoryMb: number;
  /** The arithmetic, for docs and error messages. */
  peakMb: number;
}

/** The memory limit a gateway with `maxWorkers` workers needs, from `footprint` plus HEADROOM. */
export function gatewayMemory(maxWorkers: number, footprint: MemoryFootprint = FOOTPRINT): GatewayMemory {
  const { masterMiB: master, workerMiB: worker } = footprint;
  const peakMb = master.load + maxWorkers * worker.load + worker.idle;
  const limitMb = Math.ceil((peakMb * (1 + HEADROOM)) / STEP_MIB) * STEP_MIB;
  return { limitMb, peakMb, maxWorkerMemoryMb: recyclingCeiling(limitMb, maxWorkers, footprint) };
}

/** What each worker may use once the master and one fresh replacement are counted in `limitMb`. */
export function recyclingCeiling(limitMb: number, maxWorkers: number, footprint: MemoryFootprint = FOOTPRINT): number {
  return Math.floor((limitMb - footprint.masterMiB.load - footprint.workerMiB.idle) / maxWorkers);
}

/**
 * The limit a stack config asks for, checked against the measured need: below the measured peak
 * (no headroom at all) a loaded container would be OOM-killed, so the spec refuses it.
 */
export function checkedGatewayMemory(requestedMb: number | undefined, maxWorkers: number, footprint: MemoryFootprint = FOOTPRINT): GatewayMemory {
  const derived = gatewayMemory(maxWorkers, footprint);
  if (requestedMb === undefined) return derived;
  if (requestedMb < derived.peakMb) {
    throw new Error(
      `gatewayMemoryMb ${requestedMb} is below the measured peak of ${Math.ceil(derived.peakMb)} MiB for ${maxWorkers} worker(s) ` +
        `(master + workers under load + one replacement, infra/memory-footprint.json); leave it unset to get ${derived.limitMb} MiB`,
    );
  }
  return { limitMb: requestedMb, peakMb: derived.peakMb, maxWorkerMemoryMb: recyclingCeiling(requestedMb, maxWorkers, footprint) };
}
