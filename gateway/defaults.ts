/**
 * The thin module that picks the gateway's default strategies (autoscaling policy, metrics,
 * status page) and hands them to the core; the core itself imports none of them.
 */
import { availableParallelism } from 'node:os';
import type { MasterExtras } from './master/run.ts';

export function defaultExtras(version: string): MasterExtras {
  return { cpus: availableParallelism(), version };
}
