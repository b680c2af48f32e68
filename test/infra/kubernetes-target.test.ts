/**
 * The Kubernetes target's objects, captured through Pulumi's mocks: every object validated
 * against the official schemas (kubernetes-models), every policy rule run over every object,
 * and the wiring a user would notice if it broke (probes, HPA, NetworkPolicy, config rollout).
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { CONFIG_HASH_ANNOTATION, configHashAnnotation } from '../../infra/components/kube-static.ts';
import { checkKubeObjects, checkServiceSelectors, type KubeObject } from '../../infra/policies/kubernetes.ts';
import { captureStack, kubernetesObjects, type CapturedStack } from '../../infra/testing/capture.ts';
import type { StackConfig } from '../../infra/spec.ts';
import { knownKinds, schemaErrors } from './k8s-schemas.ts';

const CONFIGS: Record<string, StackConfig> = {
  defaults: { target: 'kubernetes' },
  kind: { target: 'kubernetes', gatewayReplicas: 1, gatewayCpuMillis: 250, staticCpuMillis: 100, hpaMaxReplicas: 2 },
  clusterIp: { target: 'kubernetes', staticServiceType: 'ClusterIP', namespace: 'shop', gatewayCpuMillis: 4000, minWorkers: 2 },
};

const captured = new Map<string, { stack: CapturedStack; objects: KubeObject[] }>();
const find = (name: string, kind: string, objectName: string) =>
  captured.get(name)!.objects.find((o) => o.kind === kind && o.metadata.name === objectName) as KubeObject;

beforeAll(async () => {
  for (const [name, config] of Object.entries(CONFIGS)) {
    const stack = await captureStack(config, { kubeContext: 'kind-test' });
    captured.set(name, { stack, objects: kubernetesObjects(stack.resources) });
  }
});

test('the schema helper knows the kinds we use (the ESM kubernetes-models loaded)', () => {
  expect(knownKinds()).toBeGreaterThan(20);
  expect(schemaErrors({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two', selector: {}, template: {} } }))
    .toMatch(/replicas must be integer/);
});

describe.each(Object.keys(CONFIGS))('kubernetes target (%s)', (name) => {
  const objects = () => captured.get(name)!.objects;

  test('declares the expected objects, each with an explicit name in our namespace', () => {
    const kinds = objects().map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual([
      'ConfigMap/ts-gateway-kit-nginx', 'Deployment/ts-gateway-kit-gateway', 'Deployment/ts-gateway-kit-nginx',
      'HorizontalPodAutoscaler/ts-gateway-kit-gateway', expect.stringMatching(/^Namespace\//),
      'NetworkPolicy/ts-gateway-kit-gateway', 'NetworkPolicy/ts-gateway-kit-nginx',
      'PodDisruptionBudget/ts-gateway-kit-gateway', 'PodDisruptionBudget/ts-gateway-kit-nginx',
      'Service/ts-gateway-kit-gateway', 'Service/ts-gateway-kit-nginx',
    ]);
    const ns = objects().find((o) => o.kind === 'Namespace')!.metadata.name;
    for (const o of objects().filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe(ns);
  });

  test('every object is valid against the official Kubernetes schemas', () => {
    const errors = objects().map((o) => [`${o.kind}/${o.metadata.name}`, schemaErrors(o)]).filter(([, e]) => e !== '');
    expect(errors).toEqual([]);
  });

  test('every object passes every policy rule', () => {
    expect([...checkKubeObjects(objects()), ...checkServiceSelectors(objects())]).toEqual([]);
  });

  test('every object goes through the explicit provider of the configured kube context', () => {
    const { resources } = captured.get(name)!.stack;
    expect(resources.find((r) => r.type === 'pulumi:providers:kubernetes')?.inputs).toMatchObject({ context: 'kind-test' });
    const custom = resources.filter((r) => r.custom && r.type.startsWith('kubernetes:'));
    expect(custom.length).toBe(objects().length);
    for (const r of custom) expect(r.provider).toMatch(/::pulumi:providers:kubernetes::kube::/);
  });
});

describe('gateway wiring', () => {
  test('probes hit the admin port; the Service exposes only the app port', () => {
    const dep = find('defaults', 'Deployment', 'ts-gateway-kit-gateway');
    const c = dep.spec.template.spec.containers[0];
    expect(c.ports.map((p: KubeObject) => `${p.name}:${p.containerPort}`)).toEqual(['http:8000', 'admin:9000']);
    expect([c.startupProbe, c.livenessProbe, c.readinessProbe].map((p: KubeObject) => `${p.httpGet.port}${p.httpGet.path}`))
      .toEqual(['admin/healthz', 'admin/healthz', 'admin/readyz']);
    const svc = find('defaults', 'Service', 'ts-gateway-kit-gateway');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports.map((p: KubeObject) => p.targetPort)).toEqual(['http']);
  });

  test('the HPA, the worker bounds and the CPU limit come from one derivation', () => {
    for (const name of Object.keys(CONFIGS)) {
      const { spec } = captured.get(name)!.stack;
      const hpa = find(name, 'HorizontalPodAutoscaler', 'ts-gateway-kit-gateway');
      const c = find(name, 'Deployment', 'ts-gateway-kit-gateway').spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.map((e: KubeObject) => [e.name, e.value]));
      const cpuCores = Number.parseInt(c.resources.limits.cpu, 10) / 1000;
      expect(Number(env.GATEWAY_MAX_WORKERS)).toBe(Math.ceil(cpuCores));
      expect(c.resources.requests).toEqual(c.resources.limits);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ts-gateway-kit-gateway' });
      expect(hpa.spec.minReplicas).toBe(spec.gateway.replicas);
      const target = hpa.spec.metrics[0].resource.target.averageUtilization;
      // With one worker fewer than the maximum, a pod stays below the HPA target.
      expect(((Number(env.GATEWAY_MAX_WORKERS) - 1) / cpuCores) * 100).toBeLessThan(target);
    }
  });

  test('the HPA owns the replica count; a rollout never drops capacity; the grace covers preStop and drain', () => {
    const dep = find('defaults', 'Deployment', 'ts-gateway-kit-gateway');
    expect(dep.spec.replicas).toBeUndefined();
    expect(dep.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const pod = dep.spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e: KubeObject) => [e.name, e.value]));
    // Derived from what the pod itself says: preStop + the gateway's drain delay and graceful timeout + margin.
    expect(pod.terminationGracePeriodSeconds).toBe(pod.containers[0].lifecycle.preStop.sleep.seconds + Number(env.GATEWAY_DRAIN_DELAY) + Number(env.GATEWAY_GRACEFUL_TIMEOUT) + 5);
  });

  test('the NetworkPolicy admits only nginx pods, only on the app port', () => {
    const np = find('defaults', 'NetworkPolicy', 'ts-gateway-kit-gateway');
    const nginxPods = find('defaults', 'Deployment', 'ts-gateway-kit-nginx').spec.template.metadata.labels;
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    const from = np.spec.ingress[0].from[0].podSelector.matchLabels;
    expect(Object.entries(from).every(([k, v]) => nginxPods[k] === v)).toBe(true);
  });
});

describe('static tier wiring', () => {
  test('kind: NodePort on the port k8s/kind-config.yaml maps; ClusterIP otherwise', () => {
    expect(find('kind', 'Service', 'ts-gateway-kit-nginx').spec).toMatchObject({ type: 'NodePort', ports: [{ nodePort: 30080 }] });
    expect(find('clusterIp', 'Service', 'ts-gateway-kit-nginx').spec.type).toBe('ClusterIP');
    expect(captured.get('kind')!.stack.siteUrl).toBe('http://127.0.0.1:30080/');
  });

  test('nginx proxies to the gateway Service and the pod template carries the config hash', () => {
    const cm = find('clusterIp', 'ConfigMap', 'ts-gateway-kit-nginx');
    expect(cm.data['nginx.conf']).toContain('server ts-gateway-kit-gateway.shop.svc.cluster.local:8000 ');
    const dep = find('clusterIp', 'Deployment', 'ts-gateway-kit-nginx');
    const hash = createHash('sha256').update(cm.data['nginx.conf']).digest('hex');
    expect(dep.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION]).toBe(hash);
    expect(dep.spec.template.spec.volumes).toContainEqual({ name: 'conf', configMap: { name: 'ts-gateway-kit-nginx' } });
  });

  test('a config change changes the pod template (so the pods roll)', () => {
    const annotation = (name: string) => find(name, 'Deployment', 'ts-gateway-kit-nginx').spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION];
    expect(annotation('defaults')).not.toBe(annotation('clusterIp'));
    expect(find('defaults', 'ConfigMap', 'ts-gateway-kit-nginx').data).not.toEqual(find('clusterIp', 'ConfigMap', 'ts-gateway-kit-nginx').data);
  });

  test('the namespace enforces Pod Security "restricted"', () => {
    const ns = captured.get('defaults')!.objects.find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});

describe('staticServer: apache', () => {
  const apache = new Map<string, KubeObject[]>();
  let clusterIpSite = '';
  beforeAll(async () => {
    const configs: Record<string, StackConfig> = {
      defaults: { target: 'kubernetes', staticServer: 'apache' },
      clusterIp: { target: 'kubernetes', staticServer: 'apache', staticServiceType: 'ClusterIP', namespace: 'shop' },
    };
    for (const [name, config] of Object.entries(configs)) {
      const stack = await captureStack(config);
      apache.set(name, kubernetesObjects(stack.resources));
      if (name === 'clusterIp') clusterIpSite = stack.siteUrl;
    }
  });
  const get = (name: string, kind: string) => apache.get(name)!.find((o) => o.kind === kind && o.metadata.name === 'ts-gateway-kit-apache') as KubeObject;

  test('the static tier is named after Apache; every object is schema-valid and passes every policy rule', () => {
    for (const objects of apache.values()) {
      expect(objects.filter((o) => o.metadata.name.endsWith('-nginx'))).toEqual([]);
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining([
        'ConfigMap/ts-gateway-kit-apache', 'Deployment/ts-gateway-kit-apache', 'Service/ts-gateway-kit-apache',
        'PodDisruptionBudget/ts-gateway-kit-apache', 'NetworkPolicy/ts-gateway-kit-apache',
      ]));
      expect(objects.map((o) => [`${o.kind}/${o.metadata.name}`, schemaErrors(o)]).filter(([, e]) => e !== '')).toEqual([]);
      expect([...checkKubeObjects(objects), ...checkServiceSelectors(objects)]).toEqual([]);
    }
  });

  test('restricted pod: non-root www-data, read-only root, no capabilities, RuntimeDefault seccomp', () => {
    const pod = get('defaults', 'Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 33, runAsGroup: 33, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.containers[0];
    expect(c.name).toBe('apache');
    expect(c.image).toBe('ts-gateway-kit/apache:0.1.0');
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('what httpd writes (pid, mutex and shared-memory files) is on the emptyDir; the config is the mounted ConfigMap', () => {
    const pod = get('defaults', 'Deployment').spec.template.spec;
    const c = pod.containers[0];
    const conf = get('defaults', 'ConfigMap').data['httpd.conf'] as string;
    const runDir = c.env.find((e: KubeObject) => e.name === 'APACHE_RUN_DIR').value as string;
    const tmp = c.volumeMounts.find((m: KubeObject) => m.name === 'tmp');
    expect(pod.volumes.find((v: KubeObject) => v.name === 'tmp')).toHaveProperty('emptyDir');
    for (const written of [`PidFile "${runDir}/`, `DefaultRuntimeDir "${runDir}"`, `ServerRoot "${runDir}"`]) expect(conf).toContain(written);
    expect(runDir.startsWith(`${tmp.mountPath}/`)).toBe(true);
    expect(c.volumeMounts).toContainEqual({ name: 'conf', mountPath: '/usr/local/apache2/kit', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'conf', configMap: { name: 'ts-gateway-kit-apache' } });
    expect(conf).toContain('"/usr/local/apache2/modules/mod_proxy_http.so"');
    expect(conf).toContain('ProxyPass "/" "http://ts-gateway-kit-gateway.ts-gateway-kit.svc.cluster.local:8000/" upgrade=websocket');
  });

  test("probes ask Apache's own health answer on the site port", () => {
    const c = get('defaults', 'Deployment').spec.template.spec.containers[0];
    expect([c.startupProbe, c.livenessProbe, c.readinessProbe].map((p: KubeObject) => `${p.httpGet.port}${p.httpGet.path}`))
      .toEqual(['http/nginx-health', 'http/nginx-health', 'http/nginx-health']);
    expect(get('defaults', 'ConfigMap').data['httpd.conf']).toContain('RedirectMatch 200 "^/nginx-health$"');
  });

  test('the pod template carries the hash of httpd.conf, so a config change rolls the pods', () => {
    const annotation = (name: string) => get(name, 'Deployment').spec.template.metadata.annotations[configHashAnnotation('apache')];
    const hash = (name: string) => createHash('sha256').update(get(name, 'ConfigMap').data['httpd.conf']).digest('hex');
    expect(annotation('defaults')).toBe(hash('defaults'));
    expect(annotation('clusterIp')).toBe(hash('clusterIp'));
    expect(annotation('defaults')).not.toBe(annotation('clusterIp'));
  });

  test('the gateway admits the Apache pods, and a ClusterIP site is reached by its Service name', () => {
    const np = apache.get('defaults')!.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ts-gateway-kit-gateway')!;
    const pods = get('defaults', 'Deployment').spec.template.metadata.labels;
    const from = np.spec.ingress[0].from[0].podSelector.matchLabels;
    expect(Object.entries(from).every(([k, v]) => pods[k] === v)).toBe(true);
    expect(clusterIpSite).toBe('http://ts-gateway-kit-apache.shop.svc.cluster.local:8080/');
  });
});
