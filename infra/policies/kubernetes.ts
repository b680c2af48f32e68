/**
 * Policy rules over Kubernetes manifests, as plain functions: each takes one object and returns
 * its violations (empty = compliant). Jest runs them over every object the program declares;
 * the same functions could back a Pulumi policy pack where the Pulumi CLI is available.
 */

/** A Kubernetes object as plain data (what the mocks capture, what the YAML holds). */
export type KubeObject = Record<string, any>;

/** One rule: a name for reports and a check. */
export interface KubeRule {
  name: string;
  check(object: KubeObject): string[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

function podSpec(object: KubeObject): KubeObject | undefined {
  return WORKLOAD_KINDS.has(object.kind) ? object.spec?.template?.spec : undefined;
}

function containers(object: KubeObject): KubeObject[] {
  const spec = podSpec(object);
  return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : [];
}

/** Pod Security Standard "restricted" (v1.3x): the fields it checks on pods and containers. */
export const restrictedSecurity: KubeRule = {
  name: 'pod-security-restricted',
  check(object) {
    const spec = podSpec(object);
    if (!spec) return [];
    const problems: string[] = [];
    const pod = spec.securityContext ?? {};
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push('host namespaces are not allowed');
    for (const c of containers(object)) {
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation must be false`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${c.name}: capabilities must drop ALL`);
      if ((sc.capabilities?.add ?? []).some((cap: string) => cap !== 'NET_BIND_SERVICE')) problems.push(`${c.name}: only NET_BIND_SERVICE may be added`);
      if (sc.privileged) problems.push(`${c.name}: privileged`);
      if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${c.name}: runAsNonRoot must be true`);
      if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push(`${c.name}: runAsUser 0`);
      const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${c.name}: seccompProfile must be RuntimeDefault or Localhost`);
      if ((c.ports ?? []).some((p: KubeObject) => p.hostPort)) problems.push(`${c.name}: hostPort`);
    }
    for (const v of spec.volumes ?? []) if (v.hostPath) problems.push(`volume ${v.name}: hostPath`);
    return problems;
  },
};

/** Our own bar beyond "restricted": a read-only root filesystem. */
export const readOnlyRoot: KubeRule = {
  name: 'read-only-root-filesystem',
  check: (object) => containers(object).filter((c) => c.securityContext?.readOnlyRootFilesystem !== true).map((c) => `${c.name}: root filesystem is writable`),
};

/** Every long-running container has readiness and liveness probes (and a startup probe). */
export const probesPresent: KubeRule = {
  name: 'probes-present',
  check: (object) => containers(object).flatMap((c) =>
    (['startupProbe', 'livenessProbe', 'readinessProbe'] as const).filter((p) => !c[p]).map((p) => `${c.name}: no ${p}`)),
};

/** CPU and memory requests and limits on every container. */
export const resourcesSet: KubeRule = {
  name: 'resources-set',
  check: (object) => containers(object).flatMap((c) =>
    ['requests', 'limits'].flatMap((kind) => ['cpu', 'memory'].filter((r) => !c.resources?.[kind]?.[r]).map((r) => `${c.name}: no ${r} ${kind.slice(0, -1)}`))),
};

/** Images carry a fixed tag (kind only runs loaded images that are not `:latest`) and IfNotPresent. */
export const pinnedImages: KubeRule = {
  name: 'pinned-images',
  check: (object) => containers(object).flatMap((c) => {
    const problems: string[] = [];
    const tag = /^[^@]+:([^/:@]+)$/.exec(c.image ?? '')?.[1];
    if (!c.image?.includes('@') && (!tag || tag === 'latest')) problems.push(`${c.name}: image ${c.image} has no fixed tag`);
    if (c.imagePullPolicy !== 'IfNotPresent') problems.push(`${c.name}: imagePullPolicy must be IfNotPresent`);
    return problems;
  }),
};

/** No LoadBalancer Services: on kind they never get an address and `pulumi up` waits forever. */
export const noLoadBalancer: KubeRule = {
  name: 'no-load-balancer',
  check: (object) => (object.kind === 'Service' && object.spec?.type === 'LoadBalancer' ? ['Service of type LoadBalancer'] : []),
};

/**
 * An Ingress names its hosts: a rule without a host, or a default backend, answers for any name
 * pointed at the controller. Every TLS entry names a Secret and covers only hosts it routes.
 */
export const ingressHosts: KubeRule = {
  name: 'ingress-hosts',
  check(object) {
    if (object.kind !== 'Ingress') return [];
    const problems: string[] = [];
    const rules: KubeObject[] = object.spec?.rules ?? [];
    const hosts = rules.map((rule) => rule.host);
    if (rules.length === 0) problems.push('no rules');
    if (hosts.some((host) => !host)) problems.push('a rule without host answers for any host name');
    if (object.spec?.defaultBackend) problems.push('a defaultBackend answers for any host name');
    for (const tls of object.spec?.tls ?? []) {
      if (!tls.secretName) problems.push('a tls entry names no secretName');
      for (const host of tls.hosts ?? []) if (!hosts.includes(host)) problems.push(`tls host ${host} has no rule`);
    }
    return problems;
  },
};

/** A workload's selector matches its pod template's labels, and it carries the recommended labels. */
export const labelsMatch: KubeRule = {
  name: 'labels-match',
  check(object) {
    const problems: string[] = [];
    if (!object.metadata?.name) problems.push('metadata.name is not set');
    if (!object.metadata?.labels?.['app.kubernetes.io/part-of'] && object.kind !== 'Namespace') problems.push('no app.kubernetes.io/part-of label');
    if (!podSpec(object)) return problems;
    const selector: Record<string, string> = object.spec?.selector?.matchLabels ?? {};
    const labels: Record<string, string> = object.spec?.template?.metadata?.labels ?? {};
    if (Object.keys(selector).length === 0) problems.push('empty selector');
    for (const [key, value] of Object.entries(selector)) if (labels[key] !== value) problems.push(`selector ${key}=${value} does not match the pod labels`);
    for (const key of ['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/version']) {
      if (!labels[key]) problems.push(`pod template has no ${key} label`);
    }
    return problems;
  },
};

/** All rules, in report order. */
export const KUBE_RULES: readonly KubeRule[] = [
  restrictedSecurity, readOnlyRoot, probesPresent, resourcesSet, pinnedImages, noLoadBalancer, ingressHosts, labelsMatch,
];

/** Violations of every rule over every object, as `kind/name: rule: problem` lines. */
export function checkKubeObjects(objects: KubeObject[], rules: readonly KubeRule[] = KUBE_RULES): string[] {
  return objects.flatMap((object) => rules.flatMap((rule) =>
    rule.check(object).map((problem) => `${object.kind}/${object.metadata?.name}: ${rule.name}: ${problem}`)));
}

/** Cross-object rule: every Service selects the pods of some workload in the same set. */
export function checkServiceSelectors(objects: KubeObject[]): string[] {
  const podLabels = objects.filter((o) => podSpec(o)).map((o) => (o.spec.template.metadata?.labels ?? {}) as Record<string, string>);
  return objects.filter((o) => o.kind === 'Service').flatMap((service) => {
    const selector: Record<string, string> = service.spec?.selector ?? {};
    const matched = podLabels.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
    return matched ? [] : [`Service/${service.metadata?.name}: selects no pods`];
  });
}

/** Cross-object rule: every Ingress backend is a Service in the same set, on a port that Service has. */
export function checkIngressBackends(objects: KubeObject[]): string[] {
  const services = new Map(objects.filter((o) => o.kind === 'Service').map((s) => [s.metadata?.name as string, s]));
  return objects.filter((o) => o.kind === 'Ingress').flatMap((ingress) =>
    (ingress.spec?.rules ?? []).flatMap((rule: KubeObject) => rule.http?.paths ?? []).flatMap((path: KubeObject) => {
      const backend = path.backend?.service;
      const service = services.get(backend?.name);
      const where = `Ingress/${ingress.metadata?.name}: ${path.path}`;
      if (!service) return [`${where} → Service ${backend?.name ?? '(none)'}, which is not declared`];
      const ports: KubeObject[] = service.spec?.ports ?? [];
      const known = ports.some((p) => (backend.port?.name !== undefined ? p.name === backend.port.name : p.port === backend.port?.number));
      return known ? [] : [`${where} → Service ${backend.name} has no port ${backend.port?.name ?? backend.port?.number}`];
    }));
}
