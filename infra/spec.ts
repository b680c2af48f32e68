/**
 * The stack spec: one pure function from typed config to plain data. The local stack (`npm start`),
 * the Docker target and the Kubernetes target all read their ports, worker bounds, resources,
 * health endpoints and nginx settings from here, so the three cannot drift.
 *
 * Worker bounds, CPU limits and the HPA target are derived together (see `deriveScaling`): inside
 * a pod the gateway grows its pool up to the CPU the pod may use; only a pod saturated at its
 * maximum worker count can push its CPU use over the HPA target, so pods are added after workers.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { frameworkAssets, frameworkContentSecurityPolicy, type FrameworkAssets } from '../nginx/presets.ts';
import { DEFAULT_SECURITY_HEADERS, nginxSpec, type NginxSpec } from '../nginx/spec.ts';
import { DEFAULT_STATIC_SERVER, type StaticServer } from '../static-tier/servers.ts';
import { GATEWAY_DEFAULTS, gatewayLaunch, type GatewayLaunch } from './gateway-launch.ts';
import { defaultMaxWorkers } from '../gateway/system/cpu-budget.ts';
import { checkedGatewayMemory } from './memory-budget.ts';
import { ingressSpec, type IngressConfig, type IngressSpec } from './ingress.ts';
import { monitoringSpec, tierMetricsSpec, type MonitoringConfig, type MonitoringSpec, type TierMetricsSpec } from './monitoring.ts';
import { localApacheUser, localNginxUser } from './local-user.ts';
import { deriveScaling, type Scaling } from './scaling.ts';
import { layeredImages, type AppLayers, type ImageLayer } from './app-layers.ts';

/** Where the stack runs. */
export type Target = 'local' | 'docker' | 'kubernetes';

/** Docker networking: a user-defined bridge, or the host's stack where only loopback is allowed. */
export type DockerNetworkMode = 'bridge' | 'host';

/** The knobs a user sets (Pulumi config, `npm start` flags); every field has a default. */
export interface StackConfig extends IngressConfig, MonitoringConfig {
  target: Target;
  /** Project name: prefix of image repositories, labels and the Kubernetes namespace default. */
  project?: string;
  /** Image tag for both images; never `latest` (kind only uses loaded images with a fixed tag). */
  imageTag?: string;
  namespace?: string;
  /** Public port of the static tier. */
  sitePort?: number;
  /** Port the gateway serves the app on. */
  gatewayPort?: number;
  /** Port of the gateway's admin listener (health, status, metrics); never proxied by nginx. */
  adminPort?: number;
  /** Gateway replicas (containers or pods); the HPA's lower bound on Kubernetes. */
  gatewayReplicas?: number;
  staticReplicas?: number;
  /** Lowest worker count per gateway. */
  minWorkers?: number;
  /** Highest worker count per gateway; default: derived from the CPU limit. */
  maxWorkers?: number;
  /** CPU limit of one gateway in millicores (also its request: Guaranteed QoS, honest HPA %). */
  gatewayCpuMillis?: number;
  /** Memory limit of one gateway in MiB; default: derived from the measured footprint (infra/memory-budget.ts). */
  gatewayMemoryMb?: number;
  staticCpuMillis?: number;
  staticMemoryMb?: number;
  /** HPA upper bound on gateway pods. */
  hpaMaxReplicas?: number;
  /** Wished HPA CPU target in percent; raised when it could fire before workers are at their maximum. */
  hpaCpuTarget?: number;
  /** Seconds the gateway gives in-flight requests on TERM. */
  gracefulTimeoutSeconds?: number;
  /** Seconds the gateway keeps serving after TERM with /readyz at 503, before it drains. */
  drainDelaySeconds?: number;
  /** Seconds a pod keeps serving after it is marked for deletion, while endpoints update. */
  preStopDelaySeconds?: number;
  dockerNetworkMode?: DockerNetworkMode;
  /** Kubernetes Service type of the static tier: NodePort for kind, ClusterIP behind an ingress. */
  staticServiceType?: 'NodePort' | 'ClusterIP';
  /** NodePort of the static tier on kind (mapped to localhost by k8s/kind-config.yaml). */
  nodePort?: number;
  /** App module the gateway loads, relative to the image's working directory. */
  appModule?: string;
  /**
   * The user's app on this machine, layered onto the images (infra/app-layers.ts, config key `app`):
   * sets the module the gateway loads and a framework's hashed assets; containers only.
   */
  appLayers?: AppLayers;
  /** Folder nginx serves `/static/` from (absolute). */
  staticRoot?: string;
  /** A framework build's content-hashed folders nginx serves itself (nginx/presets.ts; absolute roots). */
  immutableAssets?: FrameworkAssets[];
  /** Writable folder for nginx's pid and temp files (absolute; a tmpfs in containers). */
  nginxRunDir?: string;
  /** `user [group]` nginx's workers drop to when nginx starts as root (local target: the invoking user). */
  nginxUser?: string;
  /** The static tier's web server: nginx (default) or Apache httpd, rendered from the same spec. */
  staticServer?: StaticServer;
  /**
   * socket.io's path (`/socket.io/`) for its default transports on several workers: the gateway
   * runs the sticky listen strategy for it and nginx sends it upstream on unshared connections
   * (docs/long-lived-connections.md). Unset: off.
   */
  stickyPath?: string;
}

/** One gateway process as its peers address it. */
export interface GatewayInstance {
  name: string;
  /** Address nginx uses to reach it. */
  host: string;
  port: number;
  adminPort: number;
  /** Its metrics listener's port; undefined: /metrics only on the admin listener. */
  metricsPort?: number;
  /** How this process is started, the same description on every target. */
  launch: GatewayLaunch;
}

/** A CPU/memory pair in Kubernetes quantity strings plus the raw numbers Docker needs. */
export interface Resources {
  cpuMillis: number;
  memoryMb: number;
  cpu: string;
  memory: string;
}

/** Everything the three targets derive from. Plain data: JSON-serialisable, no Pulumi types. */
export interface StackSpec {
  target: Target;
  project: string;
  namespace: string;
  labels: Record<string, string>;
  /**
   * The kit's images (its Dockerfiles; `nginx` is the static tier's, whichever server), and `run`:
   * what each tier runs (with the app's layers, if any).
   */
  images: { gateway: string; nginx: string; tag: string; run: { gateway: string; nginx: string } };
  /** The user's app layered onto the kit's images (config `app`); undefined: the image's own app. */
  app?: { gateway: ImageLayer; nginx: ImageLayer[] };
  site: { host: string; port: number; url: string; healthPath: string; serviceType: 'NodePort' | 'ClusterIP'; nodePort: number };
  gateway: {
    replicas: number;
    instances: GatewayInstance[];
    bindHost: string;
    port: number;
    adminPort: number;
    adminBindHost: string;
    /** The metrics listener's port (GET /metrics only, on adminBindHost); undefined: none. */
    metricsPort?: number;
    appModule: string;
    workers: { min: number; max: number };
    /** Per-worker memory ceiling (MB) that triggers recycling, from the container limit (0 locally: none). */
    maxWorkerMemoryMb: number;
    gracefulTimeoutSeconds: number;
    drainDelaySeconds: number;
    resources: Resources;
    health: { liveness: string; readiness: string };
  };
  /** `nginx` is the static tier's behaviour whichever `server` runs it (static-tier/servers.ts). */
  static: {
    server: StaticServer;
    /** Name of its container, Deployment, Service…: `<project>-nginx` or `<project>-apache`. */
    name: string;
    replicas: number;
    resources: Resources;
    nginx: NginxSpec;
    /** The nginx exporter beside nginx (a sidecar on Kubernetes, a process locally); undefined: none. */
    exporter?: TierMetricsSpec['exporter'] & { resources: Resources };
  };
  /** Optional Ingress in front of the static tier (managed clusters); undefined = none. */
  ingress?: IngressSpec;
  /** Scraping of the gateway's /metrics from a monitoring namespace (Kubernetes); undefined = none. */
  monitoring?: MonitoringSpec;
  scaling: Scaling;
  /**
   * Seconds the orchestrator waits after TERM before KILL (Kubernetes terminationGracePeriodSeconds,
   * Docker's stop timeout): preStop + drain delay + graceful timeout + margin. A drain closes
   * WebSockets and event streams within the graceful timeout (docs/long-lived-connections.md), so
   * long connections need no more than that.
   */
  stopGraceSeconds: number;
  preStopDelaySeconds: number;
  docker: { networkMode: DockerNetworkMode; network: string };
}

/** Defaults per field, one table. Target-specific ones are in `TARGET_DEFAULTS`. */
export const DEFAULTS = {
  project: 'ts-gateway-kit',
  imageTag: '0.1.0',
  sitePort: 8080,
  gatewayPort: GATEWAY_DEFAULTS.port,
  adminPort: GATEWAY_DEFAULTS.adminPort,
  staticReplicas: 1,
  minWorkers: 1,
  gatewayCpuMillis: 2000,
  staticCpuMillis: 500,
  staticMemoryMb: 128,
  hpaMaxReplicas: 4,
  hpaCpuTarget: 80,
  gracefulTimeoutSeconds: GATEWAY_DEFAULTS.gracefulTimeoutSeconds,
  drainDelaySeconds: GATEWAY_DEFAULTS.drainDelaySeconds,
  preStopDelaySeconds: 5,
  dockerNetworkMode: 'bridge' as DockerNetworkMode,
  staticServiceType: 'NodePort' as 'NodePort' | 'ClusterIP',
  nodePort: 30080,
  // The sample app as `npm run build` compiles it (a .ts module still runs, type-stripped).
  appModule: 'dist/app/server.js',
  staticRoot: '/srv/static',
  nginxRunDir: '/tmp/nginx',
} as const;

const TARGET_DEFAULTS: Record<Target, { gatewayReplicas: number }> = {
  local: { gatewayReplicas: 1 },
  docker: { gatewayReplicas: 1 },
  kubernetes: { gatewayReplicas: 2 },
};

const STOP_MARGIN_SECONDS = 5;
/** The exporter sidecar: one HTTP GET to nginx per scrape; a static Go binary of a few MiB. */
const EXPORTER_CPU_MILLIS = 50;
const EXPORTER_MEMORY_MB = 32;

/**
 * Where sticky sessions cannot hold: Apache's renderer has no unshared upstream for the path yet,
 * and a Kubernetes Service spreads each new connection over the gateway pods, so a session's next
 * request may reach a pod that never saw it.
 */
function checkStickyPath(config: StackConfig, replicas: number, maxReplicas: number): void {
  if (config.stickyPath === undefined) return;
  if (config.staticServer === 'apache') throw new Error('stickyPath needs the nginx static tier (staticServer nginx); Apache does not route it yet');
  if (config.target === 'kubernetes' && Math.max(replicas, maxReplicas) > 1) {
    throw new Error(`stickyPath on Kubernetes needs one gateway pod (gatewayReplicas and hpaMaxReplicas 1, got ${replicas} and ${maxReplicas}): the gateway Service spreads a session's requests over the pods`);
  }
}

/** Turn config into the spec. Pure: same config, same spec; throws on values no target could run. */
export function stackSpec(config: StackConfig): StackSpec {
  const c = { ...DEFAULTS, ...TARGET_DEFAULTS[config.target], ...definedOnly(config) };
  if (c.imageTag === 'latest' || c.imageTag === '') throw new Error(`imageTag must be a fixed tag, not "${c.imageTag}"`);
  const namespace = config.namespace ?? c.project;
  const server = config.staticServer ?? DEFAULT_STATIC_SERVER;
  // `nginx` names the static tier's image whichever server it runs (ts-gateway-kit/apache:0.1.0).
  const kitImages = { gateway: `${c.project}/gateway:${c.imageTag}`, nginx: `${c.project}/${server}:${c.imageTag}` };
  const layers = config.appLayers;
  if (layers && config.target === 'local') throw new Error('app layers are for the container targets; the local target runs appModule in place');
  if (layers && config.appModule !== undefined) throw new Error('set app or appModule, not both: app puts your module in the image and sets appModule');
  const layered = layers ? layeredImages(layers, kitImages, c.project, c.imageTag) : undefined;
  const appModule = layers?.module ?? c.appModule;
  const immutableAssets = layers
    ? layers.assets.map(({ framework, prefix, target }) => ({ framework, prefix, root: target }))
    : config.immutableAssets ?? [];
  const frameworkCsp = frameworkContentSecurityPolicy(immutableAssets);
  const ingress = ingressSpec(config, config.target);
  const monitoring = monitoringSpec(config, config.target);
  const ports = { sitePort: c.sitePort, gatewayPort: c.gatewayPort, adminPort: c.adminPort };
  for (const [name, port] of Object.entries(ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number, got ${port}`);
  }
  const tierMetrics = tierMetricsSpec(config, config.target, ports);
  const metricsPort = tierMetrics?.gatewayPort;
  // stub_status and its exporter are nginx's; an Apache static tier exports nothing (the gateway still does).
  const staticMetrics = server === 'nginx' ? tierMetrics : undefined;
  const { stickyPath } = config;
  checkStickyPath(config, c.gatewayReplicas, c.hpaMaxReplicas);
  const scaling = deriveScaling({
    cpuMillis: c.gatewayCpuMillis,
    minWorkers: c.minWorkers,
    maxWorkers: config.maxWorkers,
    replicas: c.gatewayReplicas,
    maxReplicas: c.hpaMaxReplicas,
    cpuTarget: c.hpaCpuTarget,
  });
  const hostNetwork = config.target === 'local' || (config.target === 'docker' && c.dockerNetworkMode === 'host');
  const gatewayBindHost = hostNetwork ? '127.0.0.1' : '0.0.0.0';
  // Docker health checks run inside the container (loopback is enough); kubelet probes come from
  // the node to the pod IP, so on Kubernetes the admin port must listen on all addresses.
  const adminBindHost = config.target === 'kubernetes' ? '0.0.0.0' : '127.0.0.1';
  // Derived from the measured footprint unless the config sets it (infra/memory-budget.ts). Only a
  // container has a memory limit to stay under; local workers are never recycled on memory.
  const memory = checkedGatewayMemory(c.gatewayMemoryMb, scaling.workers.max);
  const maxWorkerMemoryMb = config.target === 'local' ? 0 : memory.maxWorkerMemoryMb;
  const instances = gatewayInstances(config.target, hostNetwork, c.gatewayReplicas, { port: c.gatewayPort, adminPort: c.adminPort, metricsPort }, c.project, namespace)
    .map((instance) => ({
      ...instance,
      launch: gatewayLaunch({
        appModule,
        bind: { host: gatewayBindHost, port: instance.port },
        adminBind: { host: adminBindHost, port: instance.adminPort },
        ...(instance.metricsPort === undefined ? {} : { metricsBind: { host: adminBindHost, port: instance.metricsPort } }),
        workers: scaling.workers,
        gracefulTimeoutSeconds: c.gracefulTimeoutSeconds,
        drainDelaySeconds: c.drainDelaySeconds,
        maxWorkerMemoryMb,
        ...(stickyPath === undefined ? {} : { stickyPath }),
      }),
    }));
  const first = instances[0]!;
  // On kind the NodePort is mapped to the host's loopback; a ClusterIP site is reached in-cluster.
  const clusterIpSite = config.target === 'kubernetes' && c.staticServiceType === 'ClusterIP';
  const siteHost = clusterIpSite ? `${staticTierName(c.project, server)}.${namespace}.svc.cluster.local` : '127.0.0.1';
  const sitePort = config.target === 'kubernetes' && !clusterIpSite ? c.nodePort : c.sitePort;
  const gatewayResources = resources(c.gatewayCpuMillis, memory.limitMb);
  return {
    target: config.target,
    project: c.project,
    namespace,
    labels: { 'app.kubernetes.io/part-of': c.project, 'app.kubernetes.io/managed-by': 'pulumi' },
    images: { ...kitImages, tag: c.imageTag, run: layered?.run ?? kitImages },
    ...(layered ? { app: { gateway: layered.gateway, nginx: layered.nginx } } : {}),
    site: { host: siteHost, port: sitePort, url: `http://${siteHost}:${sitePort}/`, healthPath: '/nginx-health', serviceType: c.staticServiceType, nodePort: c.nodePort },
    gateway: {
      replicas: c.gatewayReplicas,
      instances,
      bindHost: gatewayBindHost,
      port: first.port,
      adminPort: first.adminPort,
      adminBindHost,
      ...(first.metricsPort === undefined ? {} : { metricsPort: first.metricsPort }),
      appModule,
      workers: scaling.workers,
      maxWorkerMemoryMb,
      gracefulTimeoutSeconds: c.gracefulTimeoutSeconds,
      drainDelaySeconds: c.drainDelaySeconds,
      resources: gatewayResources,
      health: { liveness: '/healthz', readiness: '/readyz' },
    },
    static: {
      server,
      name: staticTierName(c.project, server),
      replicas: c.staticReplicas,
      resources: resources(c.staticCpuMillis, c.staticMemoryMb),
      nginx: nginxSpec({
        listen: { host: hostNetwork ? '127.0.0.1' : '0.0.0.0', port: c.sitePort },
        // Docker container names and a Kubernetes ClusterIP Service resolve once at start-up, which
        // keeps nginx's upstream keep-alive; the targets start nginx after the gateway tier exists.
        upstream: { servers: instances.map((i) => ({ host: i.host, port: i.port })) },
        staticRoot: c.staticRoot,
        immutableAssets,
        ...(stickyPath === undefined ? {} : { stickyPath }),
        ...(frameworkCsp ? { securityHeaders: { ...DEFAULT_SECURITY_HEADERS, 'Content-Security-Policy': frameworkCsp } } : {}),
        paths: { runDir: c.nginxRunDir },
        ...(config.nginxUser === undefined ? {} : { user: config.nginxUser }),
        // One worker per core of the container's limit, not per core of the host.
        workerProcesses: Math.max(1, Math.ceil(c.staticCpuMillis / 1000)),
        healthPath: '/nginx-health',
        ...(staticMetrics ? { status: staticMetrics.nginxStatus } : {}),
      }),
      ...(staticMetrics ? { exporter: { ...staticMetrics.exporter, resources: resources(EXPORTER_CPU_MILLIS, EXPORTER_MEMORY_MB) } } : {}),
    },
    ...(ingress ? { ingress } : {}),
    ...(monitoring ? { monitoring } : {}),
    scaling,
    stopGraceSeconds: c.preStopDelaySeconds + c.drainDelaySeconds + c.gracefulTimeoutSeconds + STOP_MARGIN_SECONDS,
    preStopDelaySeconds: c.preStopDelaySeconds,
    docker: { networkMode: c.dockerNetworkMode, network: `${c.project}-net` },
  };
}

/** The static tier's objects are named after the server that runs it. */
export function staticTierName(project: string, server: StaticServer): string {
  return `${project}-${server}`;
}

const ROOT = join(import.meta.dirname, '..');
/** The local stack's folder for generated files (nginx.conf, pid, lock), relative to the project. */
export const LOCAL_RUN_DIR = 'run';

/**
 * Config of the local target (`npm start`): loopback only, one gateway with up to as many workers
 * as this machine gives it CPUs, static files from this checkout's app build, nginx's files in its
 * ignored `run/` folder and its workers running as the invoking user (see `localNginxUser`).
 */
export function localStackConfig(overrides: Partial<Omit<StackConfig, 'target'>> = {}): StackConfig {
  return {
    ...overrides,
    target: 'local',
    staticRoot: overrides.staticRoot ?? join(ROOT, 'app', 'dist', 'static'),
    // A framework's production server as the app (`.next/standalone/server.js`, `build/index.js`…):
    // nginx serves its hashed assets from the build it sits in.
    immutableAssets:
      overrides.immutableAssets ?? frameworkAssets(resolve(ROOT, overrides.appModule ?? DEFAULTS.appModule), existsSync),
    nginxRunDir: overrides.nginxRunDir ?? join(ROOT, LOCAL_RUN_DIR, 'nginx'),
    nginxUser: overrides.nginxUser ?? (overrides.staticServer === 'apache' ? localApacheUser() : localNginxUser()),
    maxWorkers: overrides.maxWorkers ?? Math.max(overrides.minWorkers ?? DEFAULTS.minWorkers, defaultMaxWorkers()),
  };
}

function gatewayInstances(
  target: Target, hostNetwork: boolean, replicas: number, ports: { port: number; adminPort: number; metricsPort: number | undefined },
  project: string, namespace: string,
): Omit<GatewayInstance, 'launch'>[] {
  const { port, adminPort, metricsPort } = ports;
  // On Kubernetes nginx reaches every replica through one Service (kube-proxy balances).
  if (target === 'kubernetes') {
    return [{ name: `${project}-gateway`, host: `${project}-gateway.${namespace}.svc.cluster.local`, port, adminPort, ...(metricsPort === undefined ? {} : { metricsPort }) }];
  }
  // Sharing the host's network, replicas need their own ports; on a bridge each has its own address.
  const nth = (base: number, i: number) => (hostNetwork ? base + i : base);
  return Array.from({ length: replicas }, (_, i) => ({
    name: `${project}-gateway-${i}`,
    host: hostNetwork ? '127.0.0.1' : `${project}-gateway-${i}`,
    port: nth(port, i),
    adminPort: nth(adminPort, i),
    ...(metricsPort === undefined ? {} : { metricsPort: nth(metricsPort, i) }),
  }));
}

function resources(cpuMillis: number, memoryMb: number): Resources {
  return { cpuMillis, memoryMb, cpu: `${cpuMillis}m`, memory: `${memoryMb}Mi` };
}

/** Drop undefined fields so `{ ...DEFAULTS, ...config }` keeps the defaults for them. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
