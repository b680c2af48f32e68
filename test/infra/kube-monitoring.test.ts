/**
 * Scraping in the Kubernetes target, on the objects the program declares (Pulumi mocks): with
 * `metricsNamespace` set, that namespace and only it reaches the gateway's metrics port, nobody
 * reaches the admin port (POST /workers), nothing new reaches the http port, the pods carry scrape
 * annotations, and `serviceMonitor` adds a ServiceMonitor whose selector finds the metrics Service
 * and a PrometheusRule with the alert rules. Reachability is computed by
 * infra/policies/network.ts, which is itself shown to say yes and no below.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from '@jest/globals';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { ALERTS_FILE, alertRuleGroups } from '../../infra/components/kube-monitoring.ts';
import { readInfraConfig } from '../../infra/config.ts';
import { monitoringSpec } from '../../infra/monitoring.ts';
import { canReach, type Peer } from '../../infra/policies/network.ts';
import { checkKubeObjects, checkServiceSelectors, type KubeObject } from '../../infra/policies/kubernetes.ts';
import { stackSpec, type StackConfig } from '../../infra/spec.ts';
import { captureStack, kubernetesObjects } from '../../infra/testing/capture.ts';
import { schemaErrors } from './k8s-schemas.ts';

const scraped: StackConfig = { target: 'kubernetes', namespace: 'shop', metricsNamespace: 'monitoring' };
const operator: StackConfig = { ...scraped, serviceMonitor: true, serviceMonitorRelease: 'kube-prometheus-stack' };

const sets = new Map<string, KubeObject[]>();
beforeAll(async () => {
  for (const [name, config] of Object.entries({ plain: { target: 'kubernetes', namespace: 'shop' } as StackConfig, scraped, operator })) {
    sets.set(name, kubernetesObjects((await captureStack(config, { kubeContext: 'test' })).resources));
  }
});

const gatewayOf = (objects: KubeObject[]) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'ts-gateway-kit-gateway')!;
const nginxPodLabels = (objects: KubeObject[]) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'ts-gateway-kit-nginx')!.spec.template.metadata.labels;
const ports = { http: 8000, admin: 9000, metrics: 9101 };

/** Every kind of peer an operator would worry about, and whether it may reach http / admin. */
function peers(objects: KubeObject[]): [string, Peer][] {
  return [
    ['prometheus in monitoring', { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } }],
    ['any pod in monitoring', { namespace: 'monitoring' }],
    ['nginx pods in shop', { namespace: 'shop', podLabels: nginxPodLabels(objects) }],
    ['another pod in shop', { namespace: 'shop', podLabels: { app: 'debug' } }],
    ['a pod in default', { namespace: 'default' }],
    ['nginx-labelled pod elsewhere', { namespace: 'default', podLabels: nginxPodLabels(objects) }],
    ['a namespace labelled like monitoring', { namespace: 'evil', namespaceLabels: { name: 'monitoring' } }],
  ];
}

function reachTable(objects: KubeObject[]): Record<string, string> {
  const gateway = gatewayOf(objects);
  return Object.fromEntries(peers(objects).map(([name, peer]) => [name,
    (['http', 'admin', 'metrics'] as const).filter((port) => canReach(objects, gateway, ports[port], peer)).join('+') || 'none']));
}

test('the ports the table assumes are the gateway container\'s; the metrics listener exists only when scraped', () => {
  const portsOf = (set: string) => gatewayOf(sets.get(set)!).spec.template.spec.containers[0].ports.map((p: KubeObject) => [p.name, p.containerPort]);
  expect(portsOf('plain')).toEqual([['http', ports.http], ['admin', ports.admin]]);
  expect(portsOf('scraped')).toEqual([['http', ports.http], ['admin', ports.admin], ['metrics', ports.metrics]]);
  const env = gatewayOf(sets.get('scraped')!).spec.template.spec.containers[0].env;
  expect(env).toContainEqual({ name: 'GATEWAY_METRICS_BIND', value: `0.0.0.0:${ports.metrics}` });
  expect(gatewayOf(sets.get('plain')!).spec.template.spec.containers[0].env.map((e: KubeObject) => e.name)).not.toContain('GATEWAY_METRICS_BIND');
});

describe('who reaches the gateway', () => {
  test('without metricsNamespace: only nginx, only on http; nobody on admin', () => {
    expect(reachTable(sets.get('plain')!)).toEqual({
      'prometheus in monitoring': 'none', 'any pod in monitoring': 'none', 'nginx pods in shop': 'http',
      'another pod in shop': 'none', 'a pod in default': 'none', 'nginx-labelled pod elsewhere': 'none',
      'a namespace labelled like monitoring': 'none',
    });
  });

  test.each(['scraped', 'operator'])('with metricsNamespace (%s): the monitoring namespace reaches the metrics port only, never admin; nothing else changes', (name) => {
    expect(reachTable(sets.get(name)!)).toEqual({
      'prometheus in monitoring': 'metrics', 'any pod in monitoring': 'metrics', 'nginx pods in shop': 'http',
      'another pod in shop': 'none', 'a pod in default': 'none', 'nginx-labelled pod elsewhere': 'none',
      'a namespace labelled like monitoring': 'none',
    });
  });
});

describe('who reaches the nginx pods', () => {
  const nginxOf = (objects: KubeObject[]) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'ts-gateway-kit-nginx')!;
  const nginxPorts = { http: 8080, status: 8081, metrics: 9113 };
  function nginxReach(objects: KubeObject[]): Record<string, string> {
    return Object.fromEntries(peers(objects).map(([name, peer]) => [name,
      (['http', 'status', 'metrics'] as const).filter((port) => canReach(objects, nginxOf(objects), nginxPorts[port], peer)).join('+') || 'none']));
  }
  const everyone = (objects: KubeObject[], ports: string) => Object.fromEntries(peers(objects).map(([name]) => [name, ports]));

  test('without metricsNamespace: everyone reaches http (the site), nothing else; no exporter, no stub_status', () => {
    const objects = sets.get('plain')!;
    expect(nginxReach(objects)).toEqual(everyone(objects, 'http'));
    expect(nginxOf(objects).spec.template.spec.containers.map((c: KubeObject) => c.name)).toEqual(['nginx']);
    expect(objects.find((o) => o.kind === 'ConfigMap')!.data['nginx.conf']).not.toContain('stub_status');
  });

  test.each(['scraped', 'operator'])('with metricsNamespace (%s): the monitoring namespace also reaches the exporter\'s metrics port; nobody reaches stub_status', (name) => {
    const objects = sets.get(name)!;
    expect(nginxReach(objects)).toEqual({ ...everyone(objects, 'http'), 'prometheus in monitoring': 'http+metrics', 'any pod in monitoring': 'http+metrics' });
  });

  test('the exporter sidecar is the official image, pinned, reading the stub_status the rendered nginx.conf serves on loopback only', () => {
    const objects = sets.get('scraped')!;
    const pod = nginxOf(objects).spec.template;
    const exporter = pod.spec.containers.find((c: KubeObject) => c.name === 'exporter');
    expect(exporter.image).toBe('nginx/nginx-prometheus-exporter:1.4.0');
    expect(exporter.args).toEqual(['--nginx.scrape-uri=http://127.0.0.1:8081/stub_status', `--web.listen-address=0.0.0.0:${nginxPorts.metrics}`]);
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: nginxPorts.metrics, protocol: 'TCP' }]);
    expect(pod.spec.containers.find((c: KubeObject) => c.name === 'nginx').ports.map((p: KubeObject) => p.name)).toEqual(['http']);
    const conf: string = objects.find((o) => o.kind === 'ConfigMap')!.data['nginx.conf'];
    const servers = conf.split(/\n    server \{/).slice(1);
    expect(servers).toHaveLength(2);
    expect(servers[0]).not.toContain('stub_status');
    expect(servers[1]).toContain('listen 127.0.0.1:8081;');
    expect(servers[1]).toContain('location = /stub_status { stub_status; }');
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(nginxPorts.metrics), 'prometheus.io/path': '/metrics' });
  });

  test('serviceMonitor: a second ServiceMonitor finds the nginx pods\' headless metrics Service', () => {
    const objects = sets.get('operator')!;
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'ts-gateway-kit-nginx-metrics')!;
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s' }]);
    const selected = objects.filter((o) => o.kind === 'Service' &&
      Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(selected.map((s) => [s.metadata.name, s.spec.ports])).toEqual([
      ['ts-gateway-kit-nginx-metrics', [{ name: 'metrics', port: nginxPorts.metrics, targetPort: 'metrics', protocol: 'TCP' }]],
    ]);
    expect(objects.filter((o) => o.kind === 'PrometheusRule')).toHaveLength(1);
  });
});

describe('the reachability model can say yes and no', () => {
  const gateway = () => gatewayOf(sets.get('plain')!);
  test('no policy: everyone reaches every port', () => {
    const withoutPolicies = sets.get('plain')!.filter((o) => o.kind !== 'NetworkPolicy');
    expect(canReach(withoutPolicies, gateway(), ports.admin, { namespace: 'default' })).toBe(true);
  });
  test('a rule without `from` admits every namespace on its port, and only that port', () => {
    const open = structuredClone(sets.get('plain')!);
    open.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ts-gateway-kit-gateway')!.spec.ingress.push({ ports: [{ port: 'admin' }] });
    expect(canReach(open, gateway(), ports.admin, { namespace: 'default' })).toBe(true);
    expect(canReach(open, gateway(), ports.http, { namespace: 'default' })).toBe(false);
  });
  test('matchExpressions are honoured', () => {
    const policy = { kind: 'NetworkPolicy', metadata: { namespace: 'shop' }, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['ops'] }] } }] }] } };
    expect(canReach([policy], gateway(), ports.admin, { namespace: 'x', namespaceLabels: { team: 'ops' } })).toBe(true);
    expect(canReach([policy], gateway(), ports.admin, { namespace: 'x', namespaceLabels: { team: 'dev' } })).toBe(false);
  });
});

describe('scrape metadata', () => {
  test('gateway pods carry prometheus.io annotations for the metrics port only when scraping is on', () => {
    expect(gatewayOf(sets.get('plain')!).spec.template.metadata.annotations).toBeUndefined();
    expect(gatewayOf(sets.get('scraped')!).spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': String(ports.metrics), 'prometheus.io/path': '/metrics',
    });
  });

  test('serviceMonitor: a monitoring.coreos.com/v1 ServiceMonitor whose selector finds the headless metrics Service', () => {
    const objects = sets.get('operator')!;
    expect(sets.get('scraped')!.some((o) => o.kind === 'ServiceMonitor')).toBe(false);
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'ts-gateway-kit-gateway-metrics')!;
    expect(monitor).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      metadata: { name: 'ts-gateway-kit-gateway-metrics', namespace: 'shop', labels: { release: 'kube-prometheus-stack' } },
      spec: { endpoints: [{ port: 'metrics', path: '/metrics' }] },
    });
    const selected = objects.filter((o) => o.kind === 'Service' &&
      Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(selected.map((s) => s.metadata.name)).toEqual(['ts-gateway-kit-gateway-metrics']);
    expect(selected[0]!.spec).toMatchObject({ clusterIP: 'None', ports: [{ name: 'metrics', port: ports.metrics, targetPort: 'metrics' }] });
    expect(selected[0]!.spec.ports).toHaveLength(1);
  });

  test('serviceMonitor also declares a PrometheusRule carrying exactly the plain rules file\'s groups', () => {
    expect(sets.get('scraped')!.some((o) => o.kind === 'PrometheusRule')).toBe(false);
    const rule = sets.get('operator')!.find((o) => o.kind === 'PrometheusRule')!;
    expect(rule).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      metadata: { name: 'ts-gateway-kit-gateway-alerts', namespace: 'shop', labels: { release: 'kube-prometheus-stack' } },
    });
    expect(rule.spec.groups).toEqual(parse(readFileSync(ALERTS_FILE, 'utf8')).groups);
    expect(rule.spec.groups.flatMap((g: KubeObject) => g.rules.map((r: KubeObject) => r.alert))).toHaveLength(5);
  });

  test('a rules file without groups stops the program naming the file', () => {
    expect(() => alertRuleGroups('/dev/null')).toThrow('/dev/null holds no rule groups');
  });

  test('every object, the ServiceMonitor and PrometheusRule too, is schema-valid and passes the policy rules', () => {
    const objects = sets.get('operator')!;
    expect(objects.map((o) => [o.kind, schemaErrors(o)]).filter(([, e]) => e !== '')).toEqual([]);
    expect(schemaErrors({ ...objects.find((o) => o.kind === 'ServiceMonitor')!, spec: { endpoints: [{ port: 9000 }] } })).toMatch(/must have required property selector/);
    expect(schemaErrors({ ...objects.find((o) => o.kind === 'PrometheusRule')!, spec: { groups: [{ name: 'g', rules: [{ alert: 'A' }] }] } }))
      .toMatch(/must have required property expr/);
    expect([...checkKubeObjects(objects), ...checkServiceSelectors(objects)]).toEqual([]);
  });
});

describe('settings', () => {
  test.each([
    [{ serviceMonitor: true }, /serviceMonitor is set but metricsNamespace is not/],
    [{ metricsNamespace: 'Monitoring' }, /metricsNamespace must be a namespace name/],
    [{ metricsNamespace: 'monitoring', serviceMonitorRelease: 'kps' }, /serviceMonitorRelease is set but serviceMonitor is not/],
    [{ metricsNamespace: 'monitoring', metricsPort: 9000 }, /metricsPort must differ from adminPort, both are 9000/],
    [{ metricsNamespace: 'monitoring', nginxExporterPort: 9101 }, /metricsPort must differ from nginxExporterPort, both are 9101/],
    [{ metricsPort: 9200 }, /metricsPort is set but the tiers' metrics are off: set metricsNamespace/],
    [{ tierMetrics: true }, /tierMetrics applies to the local target/],
    [{ metricsNamespace: 'monitoring', metricsPort: 70000 }, /metricsPort must be a port number, got 70000/],
  ])('%j → a clear error', (config, message) => {
    expect(() => stackSpec({ target: 'kubernetes', ...config })).toThrow(message);
  });
  test('a stack file\'s keys reach the spec through the reader `pulumi up` uses', () => {
    pulumi.runtime.setAllConfig({
      'ts-gateway-kit:target': 'kubernetes', 'ts-gateway-kit:metricsNamespace': 'monitoring',
      'ts-gateway-kit:serviceMonitor': 'true', 'ts-gateway-kit:serviceMonitorRelease': 'kps',
    });
    const { stack } = readInfraConfig(new pulumi.Config('ts-gateway-kit'));
    expect(stackSpec(stack).monitoring).toEqual({ namespace: 'monitoring', path: '/metrics', serviceMonitor: { release: 'kps' } });
    pulumi.runtime.setAllConfig({ 'ts-gateway-kit:target': 'kubernetes', 'ts-gateway-kit:serviceMonitor': 'yes' });
    expect(() => readInfraConfig(new pulumi.Config('ts-gateway-kit'))).toThrow(/serviceMonitor/);
  });

  test('the docker target refuses metricsNamespace', () => {
    expect(() => monitoringSpec({ metricsNamespace: 'monitoring' }, 'docker')).toThrow(/kubernetes target only/);
  });
});
