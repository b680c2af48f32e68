/**
 * The static tier on Kubernetes: its config (nginx.conf or httpd.conf) in a ConfigMap whose content
 * hash is in the pod template (editing the config rolls the pods), the Deployment, its Service (NodePort on
 * kind, where k8s/kind-config.yaml maps it to localhost; never LoadBalancer), a PDB, a
 * NetworkPolicy that admits traffic on the site port only (and the monitoring namespace, when set,
 * on the nginx exporter sidecar's metrics port: kube-monitoring.ts), and on managed clusters an
 * optional Ingress (networking.k8s.io/v1) that gives the site its public host name and TLS.
 */
import { createHash } from 'node:crypto';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  TMP_MOUNT, TMP_VOLUME, guaranteedResources, httpProbe, preStopDelay, restrictedContainerSecurity,
  restrictedPodSecurity, selectorLabels, tierLabels,
} from '../kube/pod.ts';
import type { StackSpec } from '../spec.ts';
import { METRICS_PORT_NAME, declareServiceMonitor, scrapeAnnotations, scrapeIngressRule } from './kube-monitoring.ts';
import { STATIC_SERVER_IMAGES } from '../static-servers.ts';
import type { StaticServer } from '../../static-tier/servers.ts';

/** Inputs of `KubeStatic`. */
export interface KubeStaticArgs {
  spec: StackSpec;
  namespace: pulumi.Input<string>;
  /** The server's config rendered from the spec (infra/static-servers.ts `containerStaticConf`). */
  nginxConf: string;
  /** Create nginx only after these (the gateway Service: nginx resolves its name at start-up). */
  dependsOn?: pulumi.Resource[];
}

/** Where nginx's image looks for a mounted config (see nginx/Dockerfile). */
export const NGINX_CONF_DIR = STATIC_SERVER_IMAGES.nginx.confDir;

/** Pod-template annotation carrying the config's hash, named after the server. */
export function configHashAnnotation(server: StaticServer): string {
  return `ts-gateway-kit/${server}-conf-sha256`;
}
export const CONFIG_HASH_ANNOTATION = configHashAnnotation('nginx');

/** ConfigMap, Deployment, Service, PDB and NetworkPolicy of the static tier. */
export class KubeStatic extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: KubeStaticArgs, opts?: pulumi.ComponentResourceOptions) {
    super('kit:kubernetes:StaticTier', name, {}, opts);
    const { spec, namespace } = args;
    const server = STATIC_SERVER_IMAGES[spec.static.server];
    const fullName = spec.static.name;
    const labels = tierLabels(spec, 'static');
    const selector = selectorLabels(spec, 'static');
    const metadata = { name: fullName, namespace, labels };
    const child = { parent: this };
    const port = spec.static.nginx.listen.port;
    const configHash = createHash('sha256').update(args.nginxConf).digest('hex');
    const exporter = spec.static.exporter;

    const configMap = new k8s.core.v1.ConfigMap(fullName, { metadata, data: { [server.confFile]: args.nginxConf } }, child);

    new k8s.apps.v1.Deployment(fullName, {
      metadata,
      spec: {
        replicas: spec.static.replicas,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels, annotations: { [configHashAnnotation(spec.static.server)]: configHash, ...scrapeAnnotations(spec.monitoring, exporter?.port).annotations } },
          spec: {
            securityContext: restrictedPodSecurity(server.uid),
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: spec.stopGraceSeconds,
            volumes: [TMP_VOLUME, { name: 'conf', configMap: { name: fullName } }],
            containers: [{
              name: spec.static.server,
              image: spec.images.run.nginx,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
              // The entrypoint creates the config's run folder (pid, mutex and shared-memory files) on /tmp.
              env: [{ name: server.env.runDir, value: spec.static.nginx.paths.runDir }],
              startupProbe: httpProbe(spec.site.healthPath, 'http', { period: 2, failures: 15 }),
              livenessProbe: httpProbe(spec.site.healthPath, 'http', { period: 10, failures: 3 }),
              readinessProbe: httpProbe(spec.site.healthPath, 'http', { period: 5, failures: 2 }),
              // The image's STOPSIGNAL is the graceful stop (nginx QUIT, httpd WINCH); the preStop sleep keeps it serving meanwhile.
              lifecycle: preStopDelay(spec.preStopDelaySeconds),
              resources: guaranteedResources(spec.static.resources),
              securityContext: restrictedContainerSecurity(),
              volumeMounts: [TMP_MOUNT, { name: 'conf', mountPath: server.confDir, readOnly: true }],
            }, ...(exporter ? [{
              // Reads nginx's stub_status over the pod's loopback; only its own port is reachable.
              // Started before nginx answers, it exits and the kubelet restarts it.
              name: 'exporter',
              image: exporter.image,
              imagePullPolicy: 'IfNotPresent',
              args: exporter.args,
              ports: [{ name: METRICS_PORT_NAME, containerPort: exporter.port, protocol: 'TCP' }],
              startupProbe: httpProbe('/metrics', METRICS_PORT_NAME, { period: 2, failures: 30 }),
              livenessProbe: httpProbe('/metrics', METRICS_PORT_NAME, { period: 10, failures: 3 }),
              readinessProbe: httpProbe('/metrics', METRICS_PORT_NAME, { period: 10, failures: 3 }),
              resources: guaranteedResources(exporter.resources),
              securityContext: restrictedContainerSecurity(),
            }] : [])],
          },
        },
      },
    }, { ...child, dependsOn: [configMap, ...(args.dependsOn ?? [])] });

    const nodePort = spec.site.serviceType === 'NodePort';
    const service = new k8s.core.v1.Service(fullName, {
      metadata,
      spec: {
        type: spec.site.serviceType,
        selector,
        ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP', ...(nodePort ? { nodePort: spec.site.nodePort } : {}) }],
      },
    }, child);

    new k8s.policy.v1.PodDisruptionBudget(fullName, {
      metadata,
      spec: { selector: { matchLabels: selector }, maxUnavailable: 1 },
    }, child);

    new k8s.networking.v1.NetworkPolicy(fullName, {
      metadata,
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }, ...scrapeIngressRule(spec.monitoring)],
      },
    }, child);

    if (spec.monitoring && exporter) {
      declareServiceMonitor({ monitoring: spec.monitoring, fullName, namespace, labels, selector, metricsPort: exporter.port }, child);
    }

    if (spec.ingress) {
      const { host, className, tlsSecretName } = spec.ingress;
      new k8s.networking.v1.Ingress(fullName, {
        metadata,
        spec: {
          ...(className ? { ingressClassName: className } : {}),
          rules: [{
            host,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: fullName, port: { name: 'http' } } } }] },
          }],
          ...(tlsSecretName ? { tls: [{ hosts: [host], secretName: tlsSecretName }] } : {}),
        },
      }, { ...child, dependsOn: [service] });
    }

    this.url = service.metadata.name.apply(() => spec.ingress?.url ?? spec.site.url);
    this.registerOutputs({ url: this.url });
  }
}
