/**
 * `npm run kind`: the Kubernetes target end to end on a local kind cluster.
 *
 *   preflight (docker engine and its CPUs, kind and its version, kubectl, pulumi; does the cluster
 *   exist?) → print the plan → create the cluster from k8s/kind-config.yaml, or reuse it → check the
 *   node's Kubernetes version → build both images, tag them by content, `kind load` them →
 *   `pulumi up --refresh` the kind stack → wait for both rollouts → smoke-test the site through the
 *   NodePort → [--load: metrics-server, wait for metrics, drive load, show the HPA] → teardown
 *   (pulumi destroy, kind delete cluster), only of a cluster this run created and without --keep.
 *
 *   npm run kind -- --dry-run     # preflight and plan only; changes nothing
 *   npm run kind -- --keep        # leave the cluster running afterwards; the next run reuses it
 *   npm run kind -- --load 120    # also run 120 s of load and watch the HPA (installs metrics-server)
 *   npm run kind -- --load 60 --metrics-server path/components.yaml   # metrics-server offline
 *
 * Names, ports and tags come from Pulumi.kind.yaml and k8s/kind-config.yaml through the stack
 * spec, so this script cannot drift from the stack. Pulumi state defaults to a local backend in
 * run/pulumi (override with PULUMI_BACKEND_URL); the stack is created from a project copy in
 * run/stacks/kind (infra/stack-copy.ts), so `stack init` writes its encryption salt there and
 * Pulumi.kind.yaml stays as tracked.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { $, parseArgv, which } from 'zx';
import { readInfraConfig } from '../infra/config.ts';
import { kindCpuProblem, kindMinimumCores } from '../infra/cpu-budget.ts';
import { KIND_STACK_FILE, loadStackFile } from '../infra/render-manifests.ts';
import { stackSpec } from '../infra/spec.ts';
import { stackCopy } from '../infra/stack-copy.ts';
import { runAction, type KindRuntime } from './lib/kind-actions.ts';
import { METRICS_SERVER_URL, kindVersionProblem, planKindRun, type KindStep } from './lib/kind-plan.ts';

const ROOT = join(import.meta.dirname, '..');
const KIND_CONFIG = join(ROOT, 'k8s', 'kind-config.yaml');
const STACK = 'kind';
const COPY = stackCopy(ROOT, STACK);
const TOOLS = ['docker', 'kind', 'kubectl', 'pulumi'] as const;

const args = parseArgv(process.argv.slice(2), { boolean: ['dry-run', 'keep', 'help'], string: ['load', 'metrics-server'] });
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
const metricsServer = args['metrics-server'] ? resolve(String(args['metrics-server'])) : METRICS_SERVER_URL;
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${join(ROOT, 'run', 'pulumi')}`,
  // The local backend encrypts secrets with a passphrase; this stack has none, so an empty one will do.
  PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? '',
};

// Preflight: before anything changes. Each problem is one line naming what to do.
const problems: string[] = [];
const missing: string[] = [];
for (const tool of TOOLS) if (!(await which(tool, { nothrow: true }))) missing.push(tool);
if (missing.length > 0) problems.push(`install ${missing.join(', ')}`);
say(missing.length === 0 ? 'preflight: docker, kind, kubectl, pulumi present' : `preflight: missing ${missing.join(', ')}`);

const engine = missing.includes('docker') ? undefined : await $`docker info --format {{.NCPU}}`.quiet().nothrow().timeout('15s');
if (engine && engine.exitCode !== 0) problems.push('start the Docker engine (docker info failed)');
// The kind node gets the engine's CPUs; the stack's peak requests must fit beside kind's own pods.
const cores = engine?.exitCode === 0 ? Number(engine.stdout.trim()) : undefined;
const cpuProblem = cores === undefined ? '' : kindCpuProblem(spec, cores);
if (cpuProblem) problems.push(cpuProblem);
say(cores === undefined
  ? `preflight: the stack needs a node with ${kindMinimumCores(spec)} CPUs (not checked: no engine)`
  : `preflight: ${cpuProblem || `${cores} CPUs for the kind node; the stack needs ${kindMinimumCores(spec)}`}`);

let clusterExists = false;
if (!missing.includes('kind')) {
  const clusters = await $`kind get clusters`.quiet().nothrow().timeout('30s');
  clusterExists = clusters.exitCode === 0 && clusters.stdout.split('\n').map((l) => l.trim()).includes(cluster);
  say(`preflight: cluster ${cluster} ${clusterExists ? 'exists: reused, and left running' : 'does not exist yet'}`);
  // A cluster we create gets kind's default node image; an existing one is checked on its node.
  const version = clusterExists ? '' : kindVersionProblem((await $`kind version`.quiet().nothrow().timeout('15s')).stdout);
  if (version) problems.push(version);
  say(`preflight: ${version || 'Kubernetes version checked on the node after the cluster is up (≥ 1.30 for the preStop sleep)'}`);
}
if (loadSeconds > 0 && metricsServer !== METRICS_SERVER_URL && !existsSync(metricsServer)) problems.push(`--metrics-server ${metricsServer}: no such file`);

const runtime: KindRuntime = {
  root: ROOT, spec, cluster, context, kindConfig: KIND_CONFIG, stack: STACK, stackDir: COPY.dir,
  stackConfigFile: COPY.configFile, clusterExists, keep: Boolean(args.keep), loadSeconds, metricsServer,
  trackedStackFile: KIND_STACK_FILE, env, say,
};
const plan = planKindRun(runtime);
say(`plan (cluster ${cluster}, context ${context}, namespace ${spec.namespace}, backend ${env.PULUMI_BACKEND_URL}):`);
[...plan.steps, ...plan.teardown].forEach((step, i) => {
  say(`  ${i + 1}. ${step.title}`);
  for (const command of step.commands ?? []) say(`       $ ${command.join(' ')}`);
  for (const line of step.action?.detail ?? []) say(`       · ${line}`);
});
for (const note of plan.notes) say(`note: ${note}`);
if (args['dry-run']) {
  for (const problem of problems) say(`would not start: ${problem}`);
  say('dry run: nothing was changed');
  process.exit(0);
}
if (problems.length > 0) {
  for (const problem of problems) say(`cannot start: ${problem}`);
  process.exit(1);
}

async function runStep(step: KindStep): Promise<string[]> {
  try {
    for (const command of step.commands ?? []) {
      const result = await $({ env, stdio: 'inherit', nothrow: true })`${command}`.timeout(`${step.timeoutSeconds ?? 120}s`);
      if (result.exitCode !== 0) return [`${command.join(' ')} exited ${result.exitCode}`];
    }
    return step.action ? await runAction(step.action.name, runtime) : [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

mkdirSync(join(ROOT, 'run', 'pulumi'), { recursive: true });
const tally: { title: string; failures: string[] }[] = [];
for (const step of plan.steps) {
  say(`▶ ${step.title}`);
  const failures = await runStep(step);
  tally.push({ title: step.title, failures });
  if (failures.length > 0) break;
}
for (const step of plan.teardown) tally.push({ title: step.title, failures: await runStep(step) });
for (const { title, failures } of tally) say(`${failures.length === 0 ? 'pass' : 'FAIL'}  ${title}${failures.map((f) => `\n        ${f}`).join('')}`);
const failed = tally.filter((t) => t.failures.length > 0).length;
say(`${tally.length - failed} passed, ${failed} failed${failed > 0 && plan.teardown.length === 0 ? ' (cluster kept for inspection)' : ''}`);
process.exit(failed === 0 ? 0 : 1);
