/**
 * Scraping both tiers on Kubernetes: the pod annotations a Prometheus with the common
 * `kubernetes-pods` job reads, the NetworkPolicy rule that admits the monitoring namespace on a
 * tier's metrics port (the gateway's listener that serves GET /metrics and nothing else; the nginx
 * exporter sidecar), and, for clusters with the prometheus-operator, per tier a headless Service
 * naming that port and a ServiceMonitor over it, plus a PrometheusRule with the alerts of
 * infra/monitoring/alerts.yaml.
 */
import { readFileSync } from 'node:fs';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { ALERTS_FILE, type MonitoringSpec } from '../monitoring.ts';

export { ALERTS_FILE };

/** The rule groups of `ALERTS_FILE`, as a PrometheusRule's `spec.groups`. */
export function alertRuleGroups(file = ALERTS_FILE): object[] {
  const groups = (parse(readFileSync(file, 'utf8')) as { groups?: object[] } | null)?.groups;
  if (!Array.isArray(groups) || groups.length === 0) throw new Error(`${file} holds no rule groups`);
  return groups;
}

/** `prometheus.io/*` annotations for a tier's pod metadata (nothing when scraping is off). */
export function scrapeAnnotations(monitoring: MonitoringSpec | undefined, metricsPort: number | undefined): { annotations?: Record<string, string> } {
  if (!monitoring || metricsPort === undefined) return {};
  return { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(metricsPort), 'prometheus.io/path': monitoring.path } };
}

/** The container port a scraper is admitted to, by name, on every tier that is scraped. */
export const METRICS_PORT_NAME = 'metrics';

/**
 * NetworkPolicy ingress rule: any pod of the monitoring namespace, on the metrics port only (never
 * the admin port, whose `POST /workers` moves the pool). The namespace is matched by the label
 * Kubernetes sets on every namespace (v1.22+), so no one has to label it by hand.
 */
export function scrapeIngressRule(monitoring: MonitoringSpec | undefined): object[] {
  if (!monitoring) return [];
  return [{
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoring.namespace } } }],
    ports: [{ port: METRICS_PORT_NAME, protocol: 'TCP' }],
  }];
}

/** Inputs of `declareServiceMonitor`. */
export interface ServiceMonitorArgs {
  monitoring: MonitoringSpec;
  /** The tier's object name; the Service and ServiceMonitor are `<fullName>-metrics`. */
  fullName: string;
  namespace: pulumi.Input<string>;
  labels: Record<string, string>;
  selector: Record<string, string>;
  metricsPort: number;
}

/** Label that tells the metrics Service apart from the app Service of the same tier. */
const ENDPOINT_LABEL = 'app.kubernetes.io/endpoint';

function operatorLabels(monitoring: MonitoringSpec, labels: Record<string, string>): Record<string, string> {
  const release = monitoring.serviceMonitor?.release;
  return { ...labels, ...(release === undefined ? {} : { release }) };
}

/** A tier's headless metrics Service and its ServiceMonitor, when the spec asks for them. */
export function declareServiceMonitor(args: ServiceMonitorArgs, opts: pulumi.CustomResourceOptions): void {
  const { monitoring, fullName, namespace, labels, selector, metricsPort } = args;
  if (!monitoring.serviceMonitor) return;
  const name = `${fullName}-metrics`;
  const serviceLabels = { ...labels, [ENDPOINT_LABEL]: 'metrics' };
  // Headless: the ServiceMonitor scrapes each pod through the Endpoints; no virtual IP is needed.
  new k8s.core.v1.Service(name, {
    metadata: { name, namespace, labels: serviceLabels },
    spec: { clusterIP: 'None', selector, ports: [{ name: METRICS_PORT_NAME, port: metricsPort, targetPort: METRICS_PORT_NAME, protocol: 'TCP' }] },
  }, opts);
  new k8s.apiextensions.CustomResource(name, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name, namespace, labels: operatorLabels(monitoring, labels) },
    spec: {
      selector: { matchLabels: { ...selector, [ENDPOINT_LABEL]: 'metrics' } },
      endpoints: [{ port: METRICS_PORT_NAME, path: monitoring.path, interval: '15s' }],
    },
  }, opts);
}

/** The PrometheusRule `<fullName>-alerts` with the plain rules file's groups, when the spec asks for it. */
export function declarePrometheusRule(
  args: Pick<ServiceMonitorArgs, 'monitoring' | 'fullName' | 'namespace' | 'labels'>, opts: pulumi.CustomResourceOptions,
): void {
  const { monitoring, fullName, namespace, labels } = args;
  if (!monitoring.serviceMonitor) return;
  new k8s.apiextensions.CustomResource(`${fullName}-alerts`, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `${fullName}-alerts`, namespace, labels: operatorLabels(monitoring, labels) },
    spec: { groups: alertRuleGroups() },
  }, opts);
}
