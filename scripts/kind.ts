/**
 * `npm run kind`: the Kubernetes target end to end on a local kind cluster.
 *
 *   preflight (docker engine, kind, kubectl, pulumi) → print the plan → create the cluster from
 *   k8s/kind-config.yaml → build both images and `kind load` them → `pulumi up` the kind stack →
 *   wait for both rollouts → smoke-test the site through the NodePort → [--load: drive load and
 *   show the HPA] → teardown (pulumi destroy, kind delete cluster) unless --keep.
 *
 *   npm run kind -- --dry-run     # preflight and plan only; changes nothing
 *   npm run kind -- --keep        # leave the cluster running afterwards
 *   npm run kind -- --load 120    # also run 120 s of load and watch the HPA (installs metrics-server)
 *
 * Names, ports and tags come from Pulumi.kind.yaml and k8s/kind-config.yaml through the stack
 * spec, so this script cannot drift from the stack. Pulumi state defaults to a local backend in
 * run/pulumi (override with PULUMI_BACKEND_URL).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { $, parseArgv, which, type Duration } from 'zx';
import { readInfraConfig } from '../infra/config.ts';
import { kindCpuProblem, kindMinimumCores } from '../infra/cpu-budget.ts';
import { KIND_STACK_FILE, loadStackFile } from '../infra/render-manifests.ts';
import { stackSpec } from '../infra/spec.ts';

const ROOT = join(import.meta.dirname, '..');
const KIND_CONFIG = join(ROOT, 'k8s', 'kind-config.yaml');
const STACK = 'kind';
const TOOLS = ['docker', 'kind', 'kubectl', 'pulumi'] as const;
/** metrics-server feeds the HPA; kind does not ship it. Pinned release, used only with --load. */
const METRICS_SERVER = 'https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.7.2/components.yaml';

const args = parseArgv(process.argv.slice(2), { boolean: ['dry-run', 'keep', 'help'], string: ['load'] });
if (args.help) {
  process.stdout.write(readFileSync(import.meta.filename, 'utf8').split('*/')[0]!.replace(/^\/\*\*|^ \* ?/gm, ''));
  process.exit(0);
}
const say = (line: string) => process.stdout.write(`[kind] ${line}\n`);

// Everything below is derived from the stack files.
const cluster = String((parse(readFileSync(KIND_CONFIG, 'utf8')) as { name: string }).name);
loadStackFile(KIND_STACK_FILE);
const { stack, deploy } = readInfraConfig(new pulumi.Config('ts-gateway-kit'));
const spec = stackSpec(stack);
const context = `kind-${cluster}`;
if (deploy.kubeContext !== context) {
  say(`Pulumi.kind.yaml has kubeContext ${deploy.kubeContext ?? '(none)'}, but k8s/kind-config.yaml makes ${context}`);
  process.exit(1);
}
const loadSeconds = args.load === undefined ? 0 : Number(args.load || 60);
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${join(ROOT, 'run', 'pulumi')}`,
  // The local backend encrypts secrets with a passphrase; this stack has none, so an empty one will do.
  PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? '',
};

/** One step of the plan: commands shown in the plan and run as shown, or a check in code. */
interface Step {
  title: string;
  commands?: string[][];
  check?: () => Promise<string[]>;
  /** Bound of each command. */
  timeout?: Duration;
}

const kubectl = (...rest: string[]) => ['kubectl', '--context', context, '--namespace', spec.namespace, ...rest];
const rollout = (name: string) => kubectl('rollout', 'status', `deployment/${name}`, '--timeout=180s');

const steps: Step[] = [
  { title: `create kind cluster ${cluster}`, commands: [['kind', 'create', 'cluster', '--config', KIND_CONFIG, '--wait', '120s']], timeout: '5m' },
  {
    title: 'build the images and load them into the cluster',
    commands: [
      ['docker', 'build', '-t', spec.images.gateway, ROOT],
      ['docker', 'build', '-f', join(ROOT, 'nginx', 'Dockerfile'), '-t', spec.images.nginx, ROOT],
      ['kind', 'load', 'docker-image', '--name', cluster, spec.images.gateway, spec.images.nginx],
    ],
    timeout: '15m',
  },
  {
    title: `pulumi up (stack ${STACK})`,
    commands: [
      ['pulumi', 'stack', 'select', STACK, '--create', '--non-interactive', '--cwd', ROOT],
      ['pulumi', 'up', '--stack', STACK, '--yes', '--skip-preview', '--non-interactive', '--cwd', ROOT],
    ],
    timeout: '10m',
  },
  { title: 'wait for both rollouts', commands: [rollout(`${spec.project}-gateway`), rollout(`${spec.project}-nginx`)], timeout: '4m' },
  { title: `smoke test ${spec.site.url}`, check: smokeTest },
  ...(loadSeconds > 0 ? [{
    title: `${loadSeconds} s of load, then the HPA's view`,
    commands: [
      ['kubectl', '--context', context, 'apply', '-f', METRICS_SERVER],
      ['kubectl', '--context', context, '-n', 'kube-system', 'patch', 'deployment', 'metrics-server', '--type', 'json', '-p',
        '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'],
      ['autocannon', '--connections', '32', '--duration', String(loadSeconds), spec.site.url],
      kubectl('get', 'hpa,pods'),
    ],
    timeout: `${loadSeconds + 300}s` as Duration,
  }] : []),
];
const teardown: Step[] = args.keep ? [] : [{
  title: 'teardown',
  commands: [['pulumi', 'destroy', '--stack', STACK, '--yes', '--non-interactive', '--cwd', ROOT], ['kind', 'delete', 'cluster', '--name', cluster]],
  timeout: '10m',
}];

/** What a user would check first in a browser, asked of the NodePort. */
async function smokeTest(): Promise<string[]> {
  const failures: string[] = [];
  const get = (path: string) => fetch(new URL(path, spec.site.url), { signal: AbortSignal.timeout(10_000) });
  const expectStatus = async (path: string, status: number) => {
    const response = await get(path);
    if (response.status !== status) failures.push(`GET ${path}: ${response.status}, expected ${status}`);
    return response;
  };
  await expectStatus(spec.site.healthPath, 200);
  const page = await (await expectStatus('/', 200)).text();
  const asset = /["'](\/static\/[^"']+\.[0-9a-f]{10}\.[a-z]+)["']/.exec(page)?.[1];
  if (!asset) failures.push('the page names no fingerprinted /static/ asset');
  else if (!(await expectStatus(asset, 200)).headers.get('cache-control')?.includes('immutable')) failures.push(`${asset}: not cached as immutable`);
  // The admin listener is never routed through nginx.
  if ((await get('/status').then((r) => r.text())).includes('"workers"')) failures.push('GET /status reached the gateway admin listener');
  return failures;
}

function printPlan(): void {
  say(`plan (cluster ${cluster}, context ${context}, namespace ${spec.namespace}, backend ${env.PULUMI_BACKEND_URL}):`);
  [...steps, ...teardown].forEach((step, i) => {
    say(`  ${i + 1}. ${step.title}`);
    for (const command of step.commands ?? []) say(`       $ ${command.join(' ')}`);
  });
}

async function runStep(step: Step): Promise<string[]> {
  try {
    for (const command of step.commands ?? []) {
      const result = await $({ env, stdio: 'inherit', nothrow: true })`${command}`.timeout(step.timeout ?? '2m');
      if (result.exitCode !== 0) return [`${command.join(' ')} exited ${result.exitCode}`];
    }
    return step.check ? await step.check() : [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

// Preflight: before anything changes.
const missing: string[] = [];
for (const tool of TOOLS) if (!(await which(tool, { nothrow: true }))) missing.push(tool);
const engineCpus = missing.includes('docker') ? undefined : await $`docker info --format {{.NCPU}}`.quiet().nothrow().timeout('15s');
if (engineCpus && engineCpus.exitCode !== 0) missing.push('a running Docker engine');
say(missing.length === 0 ? 'preflight: docker, kind, kubectl, pulumi present' : `preflight: missing ${missing.join(', ')}`);
// The kind node gets the engine's CPUs; the stack's peak requests must fit beside kind's own pods.
const cores = engineCpus?.exitCode === 0 ? Number(engineCpus.stdout.trim()) : undefined;
const cpuProblem = cores === undefined ? '' : kindCpuProblem(spec, cores);
say(cores === undefined
  ? `preflight: the stack needs a node with ${kindMinimumCores(spec)} CPUs (not checked: no engine)`
  : `preflight: ${cpuProblem || `${cores} CPUs for the kind node; the stack needs ${kindMinimumCores(spec)}`}`);
if (cpuProblem) missing.push(`${kindMinimumCores(spec)} CPUs for the Docker engine`);
printPlan();
if (args['dry-run']) {
  say('dry run: nothing was changed');
  process.exit(0);
}
if (missing.length > 0) {
  say(`cannot start: install ${missing.join(', ')} first`);
  process.exit(1);
}

mkdirSync(join(ROOT, 'run', 'pulumi'), { recursive: true });
const tally: { title: string; failures: string[] }[] = [];
for (const step of steps) {
  say(`▶ ${step.title}`);
  const failures = await runStep(step);
  tally.push({ title: step.title, failures });
  if (failures.length > 0) break;
}
for (const step of teardown) tally.push({ title: step.title, failures: await runStep(step) });
for (const { title, failures } of tally) say(`${failures.length === 0 ? 'pass' : 'FAIL'}  ${title}${failures.map((f) => `\n        ${f}`).join('')}`);
const failed = tally.filter((t) => t.failures.length > 0).length;
say(`${tally.length - failed} passed, ${failed} failed${failed > 0 && args.keep ? ' (cluster kept for inspection)' : ''}`);
process.exit(failed === 0 ? 0 : 1);
