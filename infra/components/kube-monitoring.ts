/**
 * Scraping the gateway tier on Kubernetes: the pod annotations a Prometheus with the common
 * `kubernetes-pods` job reads, the NetworkPolicy rule that admits the monitoring namespace on the
 * admin port, and, for clusters with the prometheus-operator, a headless Service naming the admin
 * port, a ServiceMonitor over it and a PrometheusRule with the alerts of infra/monitoring/alerts.yaml.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import type { MonitoringSpec } from '../monitoring.ts';

/** The plain rules file the PrometheusRule carries, so the two cannot drift (docs/observability.md). */
export const ALERTS_FILE = join(import.meta.dirname, '..', 'monitoring', 'alerts.yaml');

/** The rule groups of `ALERTS_FILE`, as a PrometheusRule's `spec.groups`. */
export function alertRuleGroups(file = ALERTS_FILE): object[] {
  const groups = (parse(readFileSync(file, 'utf8')) as { groups?: object[] } | null)?.groups;
  if (!Array.isArray(groups) || groups.length === 0) throw new Error(`${file} holds no rule groups`);
  return groups;
}

/** `prometheus.io/*` annotations for the gateway pods' metadata (nothing when scraping is off). */
export function scrapeAnnotations(monitoring: MonitoringSpec | undefined, adminPort: number): { annotations?: Record<string, string> } {
  if (!monitoring) return {};
  return { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(adminPort), 'prometheus.io/path': monitoring.path } };
}

/**
 * NetworkPolicy ingress rule: any pod of the monitoring namespace, on the admin port only. The
 * namespace is matched by the label Kubernetes sets on every namespace (v1.22+), so no one has to
 * label it by hand. The admin listener also serves `POST /workers` on that port: see docs/observability.md.
 */
export function scrapeIngressRule(monitoring: MonitoringSpec | undefined): object[] {
  if (!monitoring) return [];
  return [{
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoring.namespace } } }],
    ports: [{ port: 'admin', protocol: 'TCP' }],
  }];
}

/** Inputs of `declareServiceMonitor`. */
export interface ServiceMonitorArgs {
  monitoring: MonitoringSpec;
  fullName: string;
  namespace: pulumi.Input<string>;
  labels: Record<string, string>;
  selector: Record<string, string>;
  adminPort: number;
}

/** Label that tells the metrics Service apart from the app Service of the same tier. */
const ENDPOINT_LABEL = 'app.kubernetes.io/endpoint';

/** The headless admin Service, the ServiceMonitor and the PrometheusRule, when the spec asks for them. */
export function declareServiceMonitor(args: ServiceMonitorArgs, opts: pulumi.CustomResourceOptions): void {
  const { monitoring, fullName, namespace, labels, selector, adminPort } = args;
  if (!monitoring.serviceMonitor) return;
  const name = `${fullName}-metrics`;
  const serviceLabels = { ...labels, [ENDPOINT_LABEL]: 'metrics' };
  // Headless: the ServiceMonitor scrapes each pod through the Endpoints; no virtual IP is needed.
  new k8s.core.v1.Service(name, {
    metadata: { name, namespace, labels: serviceLabels },
    spec: { clusterIP: 'None', selector, ports: [{ name: 'admin', port: adminPort, targetPort: 'admin', protocol: 'TCP' }] },
  }, opts);
  const release = monitoring.serviceMonitor.release;
  const operatorLabels = { ...labels, ...(release === undefined ? {} : { release }) };
  new k8s.apiextensions.CustomResource(name, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name, namespace, labels: operatorLabels },
    spec: {
      selector: { matchLabels: { ...selector, [ENDPOINT_LABEL]: 'metrics' } },
      endpoints: [{ port: 'admin', path: monitoring.path, interval: '15s' }],
    },
  }, opts);
  new k8s.apiextensions.CustomResource(`${fullName}-alerts`, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `${fullName}-alerts`, namespace, labels: operatorLabels },
    spec: { groups: alertRuleGroups() },
  }, opts);
}
