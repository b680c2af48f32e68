/**
 * The gateway tier on Kubernetes: Deployment (probes on the admin port, restricted security
 * context, preStop delay), ClusterIP Service for the app port only, HPA on CPU, PDB, and a
 * NetworkPolicy that lets only the static tier in (and the monitoring namespace, when set, to the
 * metrics port: kube-monitoring.ts).
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  TMP_MOUNT, TMP_VOLUME, guaranteedResources, httpProbe, preStopDelay, restrictedContainerSecurity,
  restrictedPodSecurity, selectorLabels, tierLabels,
} from '../kube/pod.ts';
import {
  METRICS_PORT_NAME, declarePrometheusRule, declareServiceMonitor, scrapeAnnotations, scrapeIngressRule,
} from './kube-monitoring.ts';
import type { StackSpec } from '../spec.ts';

/** Inputs of `KubeGateway`. */
export interface KubeGatewayArgs {
  spec: StackSpec;
  namespace: pulumi.Input<string>;
}

/** The `node` user of the official Node image. */
const NODE_UID = 1000;

/** Gateway Deployment, Service, HPA, PDB and NetworkPolicy. */
export class KubeGateway extends pulumi.ComponentResource {
  readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: KubeGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super('kit:kubernetes:GatewayTier', name, {}, opts);
    const { spec, namespace } = args;
    const gw = spec.gateway;
    const fullName = `${spec.project}-gateway`;
    const labels = tierLabels(spec, 'gateway');
    const selector = selectorLabels(spec, 'gateway');
    const metadata = { name: fullName, namespace, labels };
    const child = { parent: this };

    const deployment = new k8s.apps.v1.Deployment(fullName, {
      metadata,
      spec: {
        // No `replicas`: the HPA owns the count (it raises a fresh Deployment to minReplicas at once),
        // and a value here would be reasserted by every `pulumi up`, fighting the HPA.
        selector: { matchLabels: selector },
        // A new pod must be ready before an old one goes, so capacity never dips during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels, ...scrapeAnnotations(spec.monitoring, gw.metricsPort) },
          spec: {
            securityContext: restrictedPodSecurity(NODE_UID),
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: spec.stopGraceSeconds,
            volumes: [TMP_VOLUME],
            containers: [{
              name: 'gateway',
              image: spec.images.run.gateway,
              imagePullPolicy: 'IfNotPresent',
              // One Service fronts every pod: the spec has one instance, its launch is every pod's.
              args: gw.instances[0]!.launch.args,
              env: Object.entries(gw.instances[0]!.launch.env).map(([envName, value]) => ({ name: envName, value })),
              ports: [
                { name: 'http', containerPort: gw.port, protocol: 'TCP' },
                { name: 'admin', containerPort: gw.adminPort, protocol: 'TCP' },
                ...(gw.metricsPort === undefined ? [] : [{ name: METRICS_PORT_NAME, containerPort: gw.metricsPort, protocol: 'TCP' }]),
              ],
              // Startup: the master is up (30 × 2 s); liveness: its loop ticks; readiness: a worker
              // serves and no TERM has arrived. All on the admin listener, never the app port.
              startupProbe: httpProbe(gw.health.liveness, 'admin', { period: 2, failures: 30 }),
              livenessProbe: httpProbe(gw.health.liveness, 'admin', { period: 10, failures: 3 }),
              readinessProbe: httpProbe(gw.health.readiness, 'admin', { period: 5, failures: 2 }),
              lifecycle: preStopDelay(spec.preStopDelaySeconds),
              resources: guaranteedResources(gw.resources),
              securityContext: restrictedContainerSecurity(),
              volumeMounts: [TMP_MOUNT],
            }],
          },
        },
      },
    }, child);

    const service = new k8s.core.v1.Service(fullName, {
      metadata,
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: gw.port, targetPort: 'http', protocol: 'TCP' }] },
    }, child);

    new k8s.autoscaling.v2.HorizontalPodAutoscaler(fullName, {
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: fullName },
        minReplicas: spec.scaling.hpa.minReplicas,
        maxReplicas: spec.scaling.hpa.maxReplicas,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.scaling.hpa.cpuTargetPercent } } }],
        // Pods come quickly (one per minute at most) and go slowly, like the worker autoscaler inside.
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
          scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
        },
      },
    }, { ...child, dependsOn: [deployment] });

    new k8s.policy.v1.PodDisruptionBudget(fullName, {
      metadata,
      spec: { selector: { matchLabels: selector }, maxUnavailable: spec.scaling.disruption.maxUnavailable },
    }, child);

    // Only nginx pods reach the app port; only the monitoring namespace, when set, reaches the metrics
    // port; nobody reaches the admin port. Kubelet probes still do: traffic from the pod's own node is always allowed (Kubernetes
    // "Network Policies" page).
    new k8s.networking.v1.NetworkPolicy(fullName, {
      metadata,
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: selectorLabels(spec, 'static') } }], ports: [{ port: 'http', protocol: 'TCP' }] },
          ...scrapeIngressRule(spec.monitoring),
        ],
      },
    }, child);

    if (spec.monitoring && gw.metricsPort !== undefined) {
      declareServiceMonitor({ monitoring: spec.monitoring, fullName, namespace, labels, selector, metricsPort: gw.metricsPort }, child);
      declarePrometheusRule({ monitoring: spec.monitoring, fullName, namespace, labels }, child);
    }

    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
