/**
 * The plan of `npm run kind` for the situations a user meets on a second run: a cluster kept from
 * the last run, a cluster deleted outside the script, a rebuilt image, `--load` with and without
 * network, and kind/Kubernetes versions too old for the preStop sleep action.
 */
import { describe, expect, test } from '@jest/globals';
import {
  METRICS_SERVER_URL, contentTag, kindVersionProblem, nodeVersionProblem, planKindRun, type KindPlanInput,
} from '../../scripts/lib/kind-plan.ts';
import { stackSpec } from '../../infra/spec.ts';
import { appLayers } from '../../infra/app-layers.ts';

const base: KindPlanInput = {
  root: '/repo', spec: stackSpec({ target: 'kubernetes', gatewayReplicas: 1, hpaMaxReplicas: 2 }), cluster: 'kit', context: 'kind-kit',
  kindConfig: '/repo/k8s/kind-config.yaml', stack: 'kind', stackDir: '/repo/run/stacks/kind', stackConfigFile: '/repo/run/stacks/kind/Pulumi.kind.yaml',
  clusterExists: false, keep: false, loadSeconds: 0, metricsServer: METRICS_SERVER_URL,
};
const commandsOf = (input: Partial<KindPlanInput>) => {
  const plan = planKindRun({ ...base, ...input });
  return [...plan.steps, ...plan.teardown].flatMap((s) => s.commands ?? []).map((c) => c.join(' '));
};

describe('re-running npm run kind', () => {
  test('a fresh run creates the cluster and, without --keep, deletes it at the end', () => {
    const commands = commandsOf({});
    expect(commands[0]).toBe('kind create cluster --config /repo/k8s/kind-config.yaml --wait 120s');
    expect(commands.slice(-2)).toEqual([
      'pulumi destroy --stack kind --config-file /repo/run/stacks/kind/Pulumi.kind.yaml --non-interactive --cwd /repo --yes',
      'kind delete cluster --name kit',
    ]);
  });

  test('--keep leaves the cluster and says the next run reuses it', () => {
    const plan = planKindRun({ ...base, keep: true });
    expect(plan.teardown).toEqual([]);
    expect(plan.notes.join('\n')).toMatch(/next run reuses it/);
  });

  test.each([false, true])('a cluster that exists already is reused, never created or deleted (--keep %s)', (keep) => {
    const plan = planKindRun({ ...base, clusterExists: true, keep });
    const commands = commandsOf({ clusterExists: true, keep });
    expect(plan.steps[0]!.title).toMatch(/^reuse kind cluster kit/);
    expect(commands[0]).toBe('kind export kubeconfig --name kit');
    expect(commands.some((c) => c.startsWith('kind create') || c.startsWith('kind delete') || c.startsWith('pulumi destroy'))).toBe(false);
    expect(plan.notes.join('\n')).toMatch(/existed before this run: it is left running.*kind delete cluster --name kit/);
  });

  test('pulumi up refreshes first, reads the generated config, and creates the stack in the project copy', () => {
    const commands = commandsOf({});
    const up = commands.find((c) => c.startsWith('pulumi up'))!;
    expect(up).toContain('--refresh');
    expect(up).toContain('--config-file /repo/run/stacks/kind/Pulumi.kind.yaml');
    expect(commands).toContain('pulumi stack select kind --create --non-interactive --cwd /repo/run/stacks/kind');
    // No pulumi command may run against the tracked Pulumi.kind.yaml (stack init would write a salt into it).
    for (const c of commands.filter((x) => x.startsWith('pulumi'))) expect(c).toMatch(/--config-file \/repo\/run\/stacks\/kind\/|--cwd \/repo\/run\/stacks\/kind/);
  });

  test('the images are tagged and loaded by content before pulumi up, and the node version is checked first', () => {
    const steps = planKindRun(base).steps;
    const order = steps.map((s) => s.action?.name ?? s.commands?.[0]?.slice(0, 2).join(' '));
    expect(order.slice(0, 4)).toEqual(['kind create', 'check-node-version', 'tag-and-load-images', 'pulumi stack']);
  });
});

describe('content tags', () => {
  const gateway = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
  const nginx = 'sha256:2222222222222222222222222222222222222222222222222222222222222222';

  test('same images, same tag; a rebuilt image, a new tag; always a valid Docker tag, never latest', () => {
    expect(contentTag([gateway, nginx])).toBe(contentTag([gateway, nginx]));
    expect(contentTag([gateway.replace('1', '3'), nginx])).not.toBe(contentTag([gateway, nginx]));
    expect(contentTag([gateway, nginx])).toMatch(/^sha-[0-9a-f]{12}$/);
  });
});

describe('--load: metrics-server', () => {
  test('is waited for (rollout, APIService, metrics in the HPA) before the load starts', () => {
    const steps = planKindRun({ ...base, loadSeconds: 30 }).steps;
    const metrics = steps.findIndex((s) => s.action?.name === 'wait-for-metrics');
    const load = steps.findIndex((s) => s.commands?.some((c) => c[0] === 'autocannon'));
    expect(metrics).toBeGreaterThan(-1);
    expect(load).toBe(metrics + 1);
    const commands = steps[metrics]!.commands!.map((c) => c.join(' '));
    expect(commands).toContain('kubectl --context kind-kit -n kube-system rollout status deployment/metrics-server --timeout=180s');
    expect(commands).toContain('kubectl --context kind-kit wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=120s');
  });

  test('says what happens offline, and takes a local manifest instead of the URL', () => {
    expect(planKindRun({ ...base, loadSeconds: 30 }).notes.join('\n')).toMatch(/offline, pass --metrics-server <saved manifest> and kind load that image/);
    const local = planKindRun({ ...base, loadSeconds: 30, metricsServer: '/tmp/components.yaml' });
    expect(local.steps.flatMap((s) => s.commands ?? []).map((c) => c.join(' '))).toContain('kubectl --context kind-kit apply -f /tmp/components.yaml');
    expect(local.notes.join('\n')).toMatch(/kind load docker-image --name kit registry\.k8s\.io\/metrics-server/);
  });

  test('without --load there is no metrics-server step', () => {
    expect(commandsOf({}).some((c) => c.includes('metrics-server'))).toBe(false);
  });
});

describe('Kubernetes version for the preStop sleep action', () => {
  test.each([
    ['kind v0.22.0 go1.20.13 linux/amd64', /kind v0.22.0 creates nodes older than Kubernetes 1.30.*install kind ≥ v0.23/],
    ['kind v0.23.0 go1.21.10 linux/amd64', ''],
    ['kind v0.31.0 go1.25.1 linux/amd64', ''],
    ['command not found', /cannot read the kind version/],
  ])('%s', (output, expected) => {
    if (expected === '') expect(kindVersionProblem(output)).toBe('');
    else expect(kindVersionProblem(output)).toMatch(expected);
  });

  test.each([
    ['v1.29.2', /nodes run v1.29.2: the preStop sleep action needs Kubernetes ≥ 1.30/],
    ['v1.30.0', ''],
    ['v1.33.1 v1.33.1', ''],
    ['v1.33.1 v1.28.0', /nodes run v1.28.0/],
    ['', /no nodes/],
  ])('node kubelet %s', (versions, expected) => {
    if (expected === '') expect(nodeVersionProblem(versions)).toBe('');
    else expect(nodeVersionProblem(versions)).toMatch(expected);
  });
});

test("the stack's app: its layers are built on the kit's images before the images are loaded", () => {
  const files = ['/u/shop/.next/standalone/server.js', '/u/shop/.next/static/x.js'];
  const layers = appLayers('/u/shop/.next/standalone/server.js', '/repo', (p) => files.some((f) => f === p || f.startsWith(`${p}/`)));
  const spec = stackSpec({ target: 'kubernetes', gatewayReplicas: 1, hpaMaxReplicas: 2, appLayers: layers });
  expect(commandsOf({ spec }).filter((c) => c.startsWith('docker build'))).toEqual([
    'docker build -t ts-gateway-kit/gateway:0.1.0 /repo',
    'docker build -f /repo/nginx/Dockerfile -t ts-gateway-kit/nginx:0.1.0 /repo',
    'docker build -f /repo/app-layer.Dockerfile --build-arg BASE_IMAGE=ts-gateway-kit/gateway:0.1.0 --build-arg TARGET=/srv/app -t ts-gateway-kit/app-gateway:0.1.0 /u/shop/.next/standalone',
    'docker build -f /repo/nginx/app-layer.Dockerfile --build-arg BASE_IMAGE=ts-gateway-kit/nginx:0.1.0 --build-arg TARGET=/srv/framework/_next/static -t ts-gateway-kit/app-nginx:0.1.0 /u/shop/.next/static',
  ]);
  expect(spec.images.run).toEqual({ gateway: 'ts-gateway-kit/app-gateway:0.1.0', nginx: 'ts-gateway-kit/app-nginx:0.1.0' });
});

test('staticServer: apache builds the static image from apache/Dockerfile and waits for the Apache rollout', () => {
  const spec = stackSpec({ target: 'kubernetes', gatewayReplicas: 1, hpaMaxReplicas: 2, staticServer: 'apache' });
  const commands = commandsOf({ spec });
  expect(commands).toContain('docker build -f /repo/apache/Dockerfile -t ts-gateway-kit/apache:0.1.0 /repo');
  expect(commands.some((c) => c.includes('nginx/Dockerfile'))).toBe(false);
  expect(commands.some((c) => c.startsWith('kubectl') && c.includes('rollout status') && c.includes('ts-gateway-kit-apache'))).toBe(true);
});
