/**
 * The plan of `npm run kind` as data: which steps run, with which commands, given what the machine
 * already has (an existing cluster, the kind version) and the user's flags. Pure, so re-runs,
 * `--keep` and `--load` are unit-tested without kind, kubectl, pulumi or a cluster.
 */
import { createHash } from 'node:crypto';
import { LAYER_DOCKERFILES, layerBuildCommand } from '../../infra/app-layers.ts';
import type { StackSpec } from '../../infra/spec.ts';
import { STATIC_SERVER_IMAGES } from '../../infra/static-servers.ts';

/** One step: commands shown in the plan and run as shown, and/or work done in code (`action`). */
export interface KindStep {
  title: string;
  commands?: string[][];
  /** Named work done in code after the commands; its lines are shown in the plan. */
  action?: { name: KindAction; detail: string[] };
  /** Bound of each command, in seconds. */
  timeoutSeconds?: number;
}

/** Work the script does in code (it needs values only known at run time). */
export type KindAction = 'check-node-version' | 'tag-and-load-images' | 'wait-for-metrics' | 'smoke-test';

/** What the plan depends on. */
export interface KindPlanInput {
  root: string;
  spec: StackSpec;
  cluster: string;
  context: string;
  kindConfig: string;
  stack: string;
  /** Project copy in run/stacks/ where the stack is created, so `stack init` writes its salt there (infra/stack-copy.ts). */
  stackDir: string;
  /** Stack config the script generates from Pulumi.<stack>.yaml plus the content tag. */
  stackConfigFile: string;
  /** `kind get clusters` lists the cluster already (a run with --keep, or made by hand). */
  clusterExists: boolean;
  keep: boolean;
  loadSeconds: number;
  /** metrics-server manifest: a URL (default) or a local file (offline). */
  metricsServer: string;
}

/** The whole run: steps in order, the teardown, and what the user should know before it starts. */
export interface KindPlan {
  steps: KindStep[];
  teardown: KindStep[];
  notes: string[];
}

/** Oldest Kubernetes whose kubelet runs the preStop `sleep` action by default (beta in 1.30, KEP-3960). */
export const MIN_KUBERNETES_MINOR = 30;
/** Oldest kind whose default node image is Kubernetes 1.30 (kind v0.23.0); v0.22 defaults to 1.29. */
export const MIN_KIND_MINOR = 23;
/** metrics-server feeds the HPA; kind does not ship it. Pinned release. */
export const METRICS_SERVER_URL = 'https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.7.2/components.yaml';
/** The image that manifest runs (to `kind load` it where nothing can be pulled). */
export const METRICS_SERVER_IMAGE = 'registry.k8s.io/metrics-server/metrics-server:v0.7.2';
/** Seconds to wait for metrics to reach the HPA before the load starts. */
export const METRICS_WAIT_SECONDS = 180;

/** Build the plan. */
export function planKindRun(input: KindPlanInput): KindPlan {
  const { spec, cluster, context, root, stack } = input;
  const kubectl = (...rest: string[]) => ['kubectl', '--context', context, '--namespace', spec.namespace, ...rest];
  const rollout = (name: string) => kubectl('rollout', 'status', `deployment/${name}`, '--timeout=180s');
  const pulumiStackFlags = ['--stack', stack, '--config-file', input.stackConfigFile, '--non-interactive', '--cwd', root];
  const notes: string[] = [];

  const clusterStep: KindStep = input.clusterExists
    ? { title: `reuse kind cluster ${cluster} (it exists already)`, commands: [['kind', 'export', 'kubeconfig', '--name', cluster]], timeoutSeconds: 60 }
    : { title: `create kind cluster ${cluster}`, commands: [['kind', 'create', 'cluster', '--config', input.kindConfig, '--wait', '120s']], timeoutSeconds: 300 };
  const steps: KindStep[] = [
    clusterStep,
    {
      title: `check the node runs Kubernetes ≥ 1.${MIN_KUBERNETES_MINOR} (the preStop sleep action)`,
      action: { name: 'check-node-version', detail: [`kubectl --context ${context} get nodes: kubeletVersion ≥ v1.${MIN_KUBERNETES_MINOR}`] },
    },
    {
      title: 'build the images, tag them by content and load them into the cluster',
      commands: [
        ['docker', 'build', '-t', spec.images.gateway, root],
        ['docker', 'build', '-f', `${root}/${STATIC_SERVER_IMAGES[spec.static.server].dockerfile}`, '-t', spec.images.nginx, root],
        // The stack's `app`: its folders layered onto both (infra/app-layers.ts).
        ...(spec.app ? [layerBuildCommand(spec.app.gateway, `${root}/${LAYER_DOCKERFILES.gateway}`)] : []),
        ...(spec.app?.nginx ?? []).map((layer) => layerBuildCommand(layer, `${root}/${LAYER_DOCKERFILES.nginx}`)),
      ],
      action: {
        name: 'tag-and-load-images',
        detail: [
          `tag both images sha-<12 hex> from their image ids (a rebuilt image gets a new tag, so IfNotPresent pods roll)`,
          `kind load docker-image --name ${cluster} <both content-tagged images>`,
          `write ${input.stackConfigFile} = Pulumi.${stack}.yaml + imageTag`,
        ],
      },
      timeoutSeconds: 900,
    },
    {
      title: `pulumi up --refresh (stack ${stack})`,
      commands: [
        ['pulumi', 'stack', 'select', stack, '--create', '--non-interactive', '--cwd', input.stackDir],
        // --refresh: a cluster deleted outside this script leaves state that would otherwise diff as "no change".
        ['pulumi', 'up', ...pulumiStackFlags, '--refresh', '--yes', '--skip-preview'],
      ],
      timeoutSeconds: 600,
    },
    { title: 'wait for both rollouts', commands: [rollout(`${spec.project}-gateway`), rollout(spec.static.name)], timeoutSeconds: 240 },
    { title: `smoke test ${spec.site.url}`, action: { name: 'smoke-test', detail: ['GET health, page, fingerprinted asset; /status must not reach the admin port'] } },
  ];

  if (input.loadSeconds > 0) {
    const offline = !/^https?:\/\//.test(input.metricsServer);
    steps.push({
      title: 'metrics-server for the HPA, and wait until the HPA sees CPU',
      commands: [
        ['kubectl', '--context', context, 'apply', '-f', input.metricsServer],
        // kind's kubelets serve self-signed certificates.
        ['kubectl', '--context', context, '-n', 'kube-system', 'patch', 'deployment', 'metrics-server', '--type', 'json', '-p',
          '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'],
        ['kubectl', '--context', context, '-n', 'kube-system', 'rollout', 'status', 'deployment/metrics-server', '--timeout=180s'],
        ['kubectl', '--context', context, 'wait', '--for=condition=Available', 'apiservice/v1beta1.metrics.k8s.io', '--timeout=120s'],
      ],
      action: { name: 'wait-for-metrics', detail: [`until kubectl top pods and the HPA report CPU (at most ${METRICS_WAIT_SECONDS} s)`] },
      timeoutSeconds: 240,
    });
    steps.push({
      title: `${input.loadSeconds} s of load, then the HPA's view`,
      commands: [['autocannon', '--connections', '32', '--duration', String(input.loadSeconds), spec.site.url], kubectl('get', 'hpa,pods')],
      timeoutSeconds: input.loadSeconds + 120,
    });
    notes.push(offline
      ? `metrics-server from the local manifest ${input.metricsServer}; its image ${METRICS_SERVER_IMAGE} must be in the node ` +
        `(offline: docker save/load it, then kind load docker-image --name ${cluster} ${METRICS_SERVER_IMAGE})`
      : `metrics-server is fetched from ${input.metricsServer} and pulls ${METRICS_SERVER_IMAGE}; offline, pass ` +
        '--metrics-server <saved manifest> and kind load that image first, or the HPA stays <unknown> and this step fails');
  }

  let teardown: KindStep[] = [];
  if (input.clusterExists) {
    notes.push(`cluster ${cluster} existed before this run: it is left running, and the stack on it too ` +
      `(remove both: pulumi destroy --stack ${stack} --config-file ${input.stackConfigFile} --cwd ${root}; kind delete cluster --name ${cluster})`);
  } else if (input.keep) {
    notes.push(`--keep: cluster ${cluster} stays; the next run reuses it`);
  } else {
    teardown = [{
      title: 'teardown',
      commands: [['pulumi', 'destroy', ...pulumiStackFlags, '--yes'], ['kind', 'delete', 'cluster', '--name', cluster]],
      timeoutSeconds: 600,
    }];
  }
  return { steps, teardown, notes };
}

/** The image tag for a set of built images: a hash of their image ids, so any rebuild changes it. */
export function contentTag(imageIds: string[]): string {
  return `sha-${createHash('sha256').update(imageIds.join('\n')).digest('hex').slice(0, 12)}`;
}

/** '' when `kind version` output names a kind whose default node runs Kubernetes ≥ 1.30, else the problem. */
export function kindVersionProblem(versionOutput: string): string {
  const match = /\bv(\d+)\.(\d+)\.(\d+)/.exec(versionOutput);
  if (!match) return `cannot read the kind version from "${versionOutput.trim()}"`;
  const minor = Number(match[2]);
  if (Number(match[1]) > 0 || minor >= MIN_KIND_MINOR) return '';
  return `kind ${match[0]} creates nodes older than Kubernetes 1.${MIN_KUBERNETES_MINOR}, which the pods' preStop sleep needs: ` +
    `install kind ≥ v0.${MIN_KIND_MINOR} (or set a kindest/node:v1.30+ image in k8s/kind-config.yaml)`;
}

/** '' when every node's kubelet is Kubernetes ≥ 1.30, else the problem naming the versions found. */
export function nodeVersionProblem(kubeletVersions: string): string {
  const versions = kubeletVersions.split(/\s+/).filter((v) => v !== '');
  if (versions.length === 0) return 'the cluster reports no nodes';
  const old = versions.filter((v) => {
    const match = /^v(\d+)\.(\d+)/.exec(v);
    return !match || Number(match[1]) < 1 || (Number(match[1]) === 1 && Number(match[2]) < MIN_KUBERNETES_MINOR);
  });
  return old.length === 0 ? '' : `nodes run ${old.join(', ')}: the preStop sleep action needs Kubernetes ≥ 1.${MIN_KUBERNETES_MINOR} ` +
    '(recreate the cluster with kind ≥ v0.23, or a kindest/node:v1.30+ image in k8s/kind-config.yaml)';
}
