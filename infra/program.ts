/**
 * The Pulumi program as a function of the stack spec: wires the tier components of the chosen
 * target. `index.ts` calls it with the stack's config; tests and `k8s:render` call it under
 * Pulumi's mocks. Creating no resource at import time keeps both uses honest.
 */
import { join } from 'node:path';
import * as docker from '@pulumi/docker';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { DockerGateway } from './components/docker-gateway.ts';
import { StackImages } from './components/docker-images.ts';
import { DockerStatic } from './components/docker-static.ts';
import { KubeGateway } from './components/kube-gateway.ts';
import { KubeStatic } from './components/kube-static.ts';
import { containerStaticConf } from './static-servers.ts';
import type { StackSpec } from './spec.ts';

/** Settings of a deployment that are not part of the stack spec (they do not shape the stack). */
export interface DeployOptions {
  /** kubeconfig context; absent = the ambient one (as kubectl). */
  kubeContext?: string;
  /** Docker build context; defaults to the repository root. */
  buildContext?: string;
  /** Base-image overrides for the Docker builds (local stand-ins). */
  nodeImage?: string;
  nginxImage?: string;
  httpdImage?: string;
}

/** Stack outputs. */
export interface StackOutputs {
  siteUrl: pulumi.Output<string>;
  target: string;
  namespace?: string;
}

const ROOT = join(import.meta.dirname, '..');

/** Declare the stack's resources for `spec.target` (docker or kubernetes). */
export function deployStack(spec: StackSpec, options: DeployOptions = {}): StackOutputs {
  // nginx.conf or httpd.conf, whichever server the stack's staticServer names.
  const nginxConf = containerStaticConf(spec);
  switch (spec.target) {
    case 'docker':
      return deployDocker(spec, nginxConf, options);
    case 'kubernetes':
      return deployKubernetes(spec, nginxConf, options);
    case 'local':
      throw new Error('the local target runs without Pulumi: use `npm start`');
  }
}

function deployDocker(spec: StackSpec, nginxConf: string, options: DeployOptions): StackOutputs {
  const network = spec.docker.networkMode === 'bridge'
    ? new docker.Network(spec.docker.network, {
      name: spec.docker.network,
      driver: 'bridge',
      labels: Object.entries(spec.labels).map(([label, value]) => ({ label, value })),
    })
    : undefined;
  const images = new StackImages('images', {
    gateway: spec.images.gateway,
    nginx: spec.images.nginx,
    context: options.buildContext ?? ROOT,
    nodeImage: options.nodeImage,
    nginxImage: options.nginxImage,
    httpdImage: options.httpdImage,
    server: spec.static.server,
    layers: spec.app,
  });
  const gateway = new DockerGateway('gateway', { spec, image: images.gateway, network });
  const site = new DockerStatic('static', {
    spec,
    image: images.nginx,
    nginxConf,
    network,
    dependsOn: gateway.containers,
    upstreamIds: network ? gateway.containers.map((c) => c.id) : undefined,
  });
  return { siteUrl: site.url, target: spec.target };
}

function deployKubernetes(spec: StackSpec, nginxConf: string, options: DeployOptions): StackOutputs {
  // An explicit context keeps `pulumi up` off whatever cluster the ambient kubeconfig points at.
  const provider = options.kubeContext ? new k8s.Provider('kube', { context: options.kubeContext }) : undefined;
  const namespace = new k8s.core.v1.Namespace(spec.namespace, {
    metadata: {
      name: spec.namespace,
      // The API server then refuses any pod of ours that does not meet "restricted".
      labels: { ...spec.labels, 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' },
    },
  }, { provider });
  const ns = namespace.metadata.name;
  const gateway = new KubeGateway('gateway', { spec, namespace: ns }, { provider });
  const site = new KubeStatic('static', { spec, namespace: ns, nginxConf, dependsOn: [gateway] }, { provider });
  return { siteUrl: site.url, target: spec.target, namespace: spec.namespace };
}
