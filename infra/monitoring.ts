/**
 * Who may scrape the gateway's `/metrics` in the Kubernetes target. Off unless `metricsNamespace`
 * is set: then the gateway's NetworkPolicy admits that namespace on the admin port, the pods carry
 * `prometheus.io/*` scrape annotations, and with `serviceMonitor` a prometheus-operator
 * ServiceMonitor is declared too. Pure: config in, plain data out, errors name the setting.
 */

/** What the user sets (Pulumi config `metricsNamespace`, `serviceMonitor`, `serviceMonitorRelease`). */
export interface MonitoringConfig {
  /** Namespace whose pods may reach the admin port (where Prometheus runs); setting it turns scraping on. */
  metricsNamespace?: string;
  /** Declare a monitoring.coreos.com/v1 ServiceMonitor (the cluster runs the prometheus-operator). */
  serviceMonitor?: boolean;
  /** `release` label on the ServiceMonitor, which kube-prometheus-stack's default selector requires. */
  serviceMonitorRelease?: string;
}

/** Scraping as the Kubernetes target declares it. */
export interface MonitoringSpec {
  namespace: string;
  path: string;
  serviceMonitor?: { release?: string };
}

/** The admin listener serves the exposition here (gateway/admin). */
export const METRICS_PATH = '/metrics';

/** RFC 1123 label: what a namespace name and a label value of this kind must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The scraping spec for this config, or undefined when it is off; throws naming the setting on bad values. */
export function monitoringSpec(config: MonitoringConfig, target: string): MonitoringSpec | undefined {
  const { metricsNamespace: namespace, serviceMonitor, serviceMonitorRelease: release } = config;
  if (namespace === undefined) {
    const stray = Object.entries({ serviceMonitor, serviceMonitorRelease: release }).find(([, v]) => v !== undefined && v !== false);
    if (stray) throw new Error(`${stray[0]} is set but metricsNamespace is not: set metricsNamespace to the namespace Prometheus runs in`);
    return undefined;
  }
  if (target !== 'kubernetes') throw new Error(`metricsNamespace applies to the kubernetes target only, not ${target}`);
  if (!DNS_LABEL.test(namespace)) throw new Error(`metricsNamespace must be a namespace name such as monitoring, got "${namespace}"`);
  if (release !== undefined && !serviceMonitor) throw new Error('serviceMonitorRelease is set but serviceMonitor is not: set serviceMonitor to true');
  if (release !== undefined && !DNS_LABEL.test(release)) throw new Error(`serviceMonitorRelease must be a Helm release name, got "${release}"`);
  return { namespace, path: METRICS_PATH, ...(serviceMonitor ? { serviceMonitor: release === undefined ? {} : { release } } : {}) };
}
