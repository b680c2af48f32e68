/**
 * Pieces every pod of the stack shares: the Pod Security "restricted" contexts, HTTP probes,
 * the writable /tmp on a read-only root, and the recommended labels. Pure data builders.
 */
import type * as k8s from '@pulumi/kubernetes';
import type { StackSpec } from '../spec.ts';

type Container = k8s.types.input.core.v1.Container;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type Probe = k8s.types.input.core.v1.Probe;
type Volume = k8s.types.input.core.v1.Volume;

/** The tiers of the stack, as `app.kubernetes.io/component`. */
export type Tier = 'gateway' | 'static';

/** Labels that select a tier's pods: stable across versions, so selectors never change. */
export function selectorLabels(spec: StackSpec, tier: Tier): Record<string, string> {
  return { 'app.kubernetes.io/name': `${spec.project}-${tier}`, 'app.kubernetes.io/instance': spec.namespace };
}

/** All recommended labels of a tier's objects (selector labels plus descriptive ones). */
export function tierLabels(spec: StackSpec, tier: Tier): Record<string, string> {
  return { ...spec.labels, ...selectorLabels(spec, tier), 'app.kubernetes.io/component': tier, 'app.kubernetes.io/version': spec.images.tag };
}

/** Pod-level context meeting Pod Security "restricted": non-root, RuntimeDefault seccomp. */
export function restrictedPodSecurity(uid: number): PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

/** Container-level context meeting "restricted", plus a read-only root filesystem. */
export function restrictedContainerSecurity(): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** An HTTP GET probe on a named container port. */
export function httpProbe(path: string, port: string, timing: { period: number; failures: number; timeout?: number }): Probe {
  return { httpGet: { path, port }, periodSeconds: timing.period, failureThreshold: timing.failures, timeoutSeconds: timing.timeout ?? 2 };
}

/** The only writable place in the container: a small in-memory /tmp. */
export const TMP_VOLUME: Volume = { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } };
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' };

/** Requests equal to limits: Guaranteed QoS, and an HPA percentage that means "share of the limit". */
export function guaranteedResources(resources: StackSpec['gateway']['resources']): Container['resources'] {
  const amounts = { cpu: resources.cpu, memory: resources.memory };
  return { requests: amounts, limits: amounts };
}

/**
 * Keep serving for a few seconds after the pod is marked for deletion: endpoint removal reaches
 * kube-proxy and nginx later than the TERM would, and requests sent meanwhile must not fail.
 */
export function preStopDelay(seconds: number): Container['lifecycle'] {
  return seconds > 0 ? { preStop: { sleep: { seconds } } } : undefined;
}
