/**
 * Who may scrape the two tiers, and what they scrape. In the Kubernetes target it is off unless
 * `metricsNamespace` is set: then the gateway serves /metrics on a metrics port of its own, nginx
 * serves stub_status on loopback to an nginx-prometheus-exporter sidecar, both tiers' NetworkPolicies
 * admit that namespace to their metrics port, the pods carry `prometheus.io/*` scrape annotations,
 * and with `serviceMonitor` prometheus-operator ServiceMonitors are declared too. The local target
 * turns the same endpoints on with `tierMetrics` (`npm start -- --prometheus`). Pure: config in,
 * plain data out, errors name the setting.
 */
import { join } from 'node:path';
import { formatAddress } from '../nginx/render.ts';

/** The plain rules file: the PrometheusRule carries it, the local Prometheus loads it, so they cannot drift. */
export const ALERTS_FILE = join(import.meta.dirname, 'monitoring', 'alerts.yaml');


/** What the user sets (Pulumi config `metricsNamespace`, `serviceMonitor`, `serviceMonitorRelease`). */
export interface MonitoringConfig {
  /** Namespace whose pods may reach the admin port (where Prometheus runs); setting it turns scraping on. */
  metricsNamespace?: string;
  /** Declare a monitoring.coreos.com/v1 ServiceMonitor (the cluster runs the prometheus-operator). */
  serviceMonitor?: boolean;
  /** `release` label on the ServiceMonitor, which kube-prometheus-stack's default selector requires. */
  serviceMonitorRelease?: string;
  /** Serve both tiers' metrics outside Kubernetes (the local target's `--prometheus`). */
  tierMetrics?: boolean;
  /** The gateway's metrics listener (GET /metrics only); default 9101. */
  metricsPort?: number;
  /** nginx's stub_status server, on loopback; default 8081. */
  nginxStatusPort?: number;
  /** The nginx exporter's /metrics; default 9113, the exporter's own. */
  nginxExporterPort?: number;
}

/** The metrics endpoints of both tiers, when something scrapes them. */
export interface TierMetricsSpec {
  /** The gateway's metrics listener. */
  gatewayPort: number;
  /** nginx's stub_status server (127.0.0.1 only) and location. */
  nginxStatus: { port: number; path: string };
  /** nginx-prometheus-exporter reading that stub_status: its port and arguments. */
  exporter: { port: number; image: string; args: string[] };
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

/**
 * The official exporter's image, pinned. Debian's prometheus-nginx-exporter (0.11, what the local
 * target and the tests run) takes the same two flags and serves the same nginx_* metrics.
 */
export const NGINX_EXPORTER_IMAGE = 'nginx/nginx-prometheus-exporter:1.4.0';
const STUB_STATUS_PATH = '/stub_status';
/** Ports of the tiers' metrics endpoints unless set (9113 is the exporter's own default). */
export const TIER_METRICS_DEFAULTS = { metricsPort: 9101, nginxStatusPort: 8081, nginxExporterPort: 9113 } as const;

/**
 * Both tiers' metrics endpoints: on Kubernetes with `metricsNamespace`, locally with `tierMetrics`;
 * undefined otherwise. `taken` are the stack's other ports, which these must not reuse.
 */
export function tierMetricsSpec(config: MonitoringConfig, target: string, taken: Record<string, number>): TierMetricsSpec | undefined {
  const ports = { metricsPort: config.metricsPort, nginxStatusPort: config.nginxStatusPort, nginxExporterPort: config.nginxExporterPort };
  if (config.tierMetrics && target !== 'local') {
    throw new Error(`tierMetrics applies to the local target (npm start -- --prometheus); on ${target}${target === 'kubernetes' ? ' set metricsNamespace' : ' no exporter runs'}`);
  }
  const on = target === 'kubernetes' ? config.metricsNamespace !== undefined : config.tierMetrics === true;
  if (!on) {
    const stray = Object.entries(ports).find(([, v]) => v !== undefined);
    if (stray) throw new Error(`${stray[0]} is set but the tiers' metrics are off: set ${target === 'kubernetes' ? 'metricsNamespace' : 'tierMetrics'}`);
    return undefined;
  }
  const chosen = { ...TIER_METRICS_DEFAULTS, ...Object.fromEntries(Object.entries(ports).filter(([, v]) => v !== undefined)) };
  const all = { ...taken, ...chosen };
  for (const [name, port] of Object.entries(chosen)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number, got ${port}`);
    const clash = Object.entries(all).find(([other, p]) => other !== name && p === port);
    if (clash) throw new Error(`${name} must differ from ${clash[0]}, both are ${port}`);
  }
  // Scraped from other pods on Kubernetes; locally Prometheus runs on this machine.
  const exporterHost = target === 'kubernetes' ? '0.0.0.0' : '127.0.0.1';
  return {
    gatewayPort: chosen.metricsPort,
    nginxStatus: { port: chosen.nginxStatusPort, path: STUB_STATUS_PATH },
    exporter: {
      port: chosen.nginxExporterPort,
      image: NGINX_EXPORTER_IMAGE,
      args: [
        `--nginx.scrape-uri=http://${formatAddress({ host: '127.0.0.1', port: chosen.nginxStatusPort })}${STUB_STATUS_PATH}`,
        `--web.listen-address=${formatAddress({ host: exporterHost, port: chosen.nginxExporterPort })}`,
      ],
    },
  };
}
