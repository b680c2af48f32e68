/**
 * Container settings both tiers share on the Docker target: non-root processes on a read-only
 * root with a small tmpfs, no capabilities, no privilege escalation, limits from the stack spec.
 */
import type * as docker from '@pulumi/docker';
import type { Resources } from '../spec.ts';

/** The hardening and limit fields of a `docker.Container`, from a tier's resources. */
export function hardenedContainer(resources: Resources, labels: Record<string, string>): Partial<docker.ContainerArgs> {
  return {
    restart: 'unless-stopped',
    readOnly: true,
    // Node and nginx write only pid, temp and cache files; /tmp is all the writable space they get.
    tmpfs: { '/tmp': 'rw,noexec,nosuid,size=64m' },
    capabilities: { drops: ['ALL'] },
    securityOpts: ['no-new-privileges:true'],
    cpus: (resources.cpuMillis / 1000).toString(),
    memory: resources.memoryMb,
    // No swap beyond the limit: a leaking worker must hit the ceiling and be recycled, not page.
    memorySwap: resources.memoryMb,
    labels: Object.entries(labels).map(([label, value]) => ({ label, value })),
    mustRun: true,
    // Wait for the HEALTHCHECK so `pulumi up` fails on a container that never becomes healthy.
    wait: true,
    waitTimeout: 120,
  };
}

/** `networkMode`/`networksAdvanced` for a container with the given DNS alias. */
export function containerNetwork(mode: 'bridge' | 'host', network: docker.Network | undefined, alias: string): Partial<docker.ContainerArgs> {
  if (mode === 'host' || !network) return { networkMode: 'host' };
  return { networksAdvanced: [{ name: network.name, aliases: [alias] }] };
}
