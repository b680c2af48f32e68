/**
 * Who can reach a pod, by the NetworkPolicy semantics of networking.k8s.io/v1 (Ingress only):
 * a pod selected by no Ingress policy takes everything; a selected pod takes a connection when
 * some rule of some selecting policy admits both the peer and the port. Used by the tests to say
 * "the monitoring namespace, and only it, reaches the admin port" about the captured objects.
 */
import type { KubeObject } from './kubernetes.ts';

/** A connecting pod: its namespace (and that namespace's labels) and its own labels. */
export interface Peer {
  namespace: string;
  namespaceLabels?: Record<string, string>;
  podLabels?: Record<string, string>;
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Does `selector` select `labels`? (An empty selector selects everything, as in the API.) */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return byLabel && (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return key in labels && values.includes(labels[key]!);
      case 'NotIn': return !(key in labels && values.includes(labels[key]!));
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: throw new Error(`unknown label selector operator ${operator}`);
    }
  });
}

function peerMatches(from: KubeObject, policyNamespace: string, peer: Peer): boolean {
  // An ipBlock names addresses, not pods; pod IPs are not modelled, so it admits no pod here.
  if (from.ipBlock) return false;
  const namespaceLabels = { 'kubernetes.io/metadata.name': peer.namespace, ...peer.namespaceLabels };
  const inNamespace = from.namespaceSelector ? selects(from.namespaceSelector, namespaceLabels) : peer.namespace === policyNamespace;
  return inNamespace && (!from.podSelector || selects(from.podSelector, peer.podLabels ?? {}));
}

/** Container ports of a workload's pods, named port → number. */
function namedPorts(workload: KubeObject): Map<string, number> {
  const containers: KubeObject[] = workload.spec?.template?.spec?.containers ?? [];
  return new Map(containers.flatMap((c) => (c.ports ?? []).filter((p: KubeObject) => p.name).map((p: KubeObject) => [p.name, p.containerPort])));
}

/**
 * Can `peer` open a TCP connection to `port` (a number) on the pods of `workload`, given every
 * object in `objects`? Named ports in the policies resolve through the workload's containers.
 */
export function canReach(objects: KubeObject[], workload: KubeObject, port: number, peer: Peer): boolean {
  const namespace: string = workload.metadata?.namespace ?? 'default';
  const podLabels: Record<string, string> = workload.spec?.template?.metadata?.labels ?? {};
  const ports = namedPorts(workload);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && (o.metadata?.namespace ?? 'default') === namespace &&
    (o.spec?.policyTypes ?? ['Ingress']).includes('Ingress') && selects(o.spec?.podSelector, podLabels));
  if (policies.length === 0) return true;
  return policies.some((policy) => (policy.spec?.ingress ?? []).some((rule: KubeObject) => {
    const portOk = !rule.ports?.length || rule.ports.some((p: KubeObject) =>
      (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || (typeof p.port === 'string' ? ports.get(p.port) : p.port) === port));
    const peerOk = !rule.from?.length || rule.from.some((from: KubeObject) => peerMatches(from, namespace, peer));
    return portOk && peerOk;
  }));
}
