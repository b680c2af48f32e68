/**
 * The steps of `npm run kind` that need values known only at run time: the node's Kubernetes
 * version, the images' content tag, metrics reaching the HPA, and the smoke test. Each returns its
 * failures (empty = passed), like a step of commands.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { $ } from 'zx';
import type { StackSpec } from '../../infra/spec.ts';
import { syncStackCopy } from '../../infra/stack-copy.ts';
import { METRICS_WAIT_SECONDS, contentTag, nodeVersionProblem, type KindAction, type KindPlanInput } from './kind-plan.ts';

/** What the actions need besides the plan's input. */
export interface KindRuntime extends KindPlanInput {
  /** The tracked stack file (Pulumi.kind.yaml). */
  trackedStackFile: string;
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
}

/** Run one named action. */
export function runAction(name: KindAction, rt: KindRuntime): Promise<string[]> {
  switch (name) {
    case 'check-node-version': return checkNodeVersion(rt);
    case 'tag-and-load-images': return tagAndLoadImages(rt);
    case 'wait-for-metrics': return waitForMetrics(rt);
    case 'smoke-test': return smokeTest(rt.spec);
  }
}

async function checkNodeVersion(rt: KindRuntime): Promise<string[]> {
  const out = await $`kubectl --context ${rt.context} get nodes -o ${'jsonpath={.items[*].status.nodeInfo.kubeletVersion}'}`.quiet().nothrow().timeout('30s');
  if (out.exitCode !== 0) return [`kubectl get nodes exited ${out.exitCode}: ${out.stderr.trim()}`];
  const problem = nodeVersionProblem(out.stdout);
  if (!problem) rt.say(`node: Kubernetes ${out.stdout.trim()}`);
  return problem ? [problem] : [];
}

/**
 * Tag both images by content and load them. kind runs pods with `IfNotPresent`: a rebuilt image
 * under the same tag would never reach running pods, while a new tag changes the pod template.
 */
async function tagAndLoadImages(rt: KindRuntime): Promise<string[]> {
  const images = [rt.spec.images.run.gateway, rt.spec.images.run.nginx];
  const ids: string[] = [];
  for (const image of images) {
    const out = await $`docker image inspect --format {{.Id}} ${image}`.quiet().nothrow().timeout('30s');
    if (out.exitCode !== 0) return [`docker image inspect ${image} exited ${out.exitCode}: ${out.stderr.trim()}`];
    ids.push(out.stdout.trim());
  }
  const tag = contentTag(ids);
  const tagged = images.map((image) => `${image.slice(0, image.lastIndexOf(':'))}:${tag}`);
  for (const [i, image] of images.entries()) {
    const out = await $`docker tag ${image} ${tagged[i]!}`.quiet().nothrow().timeout('30s');
    if (out.exitCode !== 0) return [`docker tag ${image} ${tagged[i]} exited ${out.exitCode}`];
  }
  rt.say(`images tagged ${tag}: ${tagged.join(', ')}`);
  const load = await $({ env: rt.env, stdio: 'inherit', nothrow: true })`kind load docker-image --name ${rt.cluster} ${tagged}`.timeout('10m');
  if (load.exitCode !== 0) return [`kind load docker-image exited ${load.exitCode}`];
  // The generated stack file `pulumi up --config-file` reads: Pulumi.kind.yaml plus this tag.
  syncStackCopy(rt.root, { stack: rt.stack, dir: rt.stackDir, configFile: rt.stackConfigFile, tracked: rt.trackedStackFile }, { 'ts-gateway-kit:imageTag': tag });
  return [];
}

/** Until `kubectl top` answers and the HPA shows a CPU reading; bounded. */
async function waitForMetrics(rt: KindRuntime): Promise<string[]> {
  const hpa = `${rt.spec.project}-gateway`;
  const deadline = Date.now() + METRICS_WAIT_SECONDS * 1000;
  let last = '';
  while (Date.now() < deadline) {
    const top = await $`kubectl --context ${rt.context} -n ${rt.spec.namespace} top pods`.quiet().nothrow().timeout('20s');
    const cpu = await $`kubectl --context ${rt.context} -n ${rt.spec.namespace} get hpa ${hpa} -o ${'jsonpath={.status.currentMetrics[0].resource.current.averageUtilization}'}`
      .quiet().nothrow().timeout('20s');
    if (top.exitCode === 0 && cpu.exitCode === 0 && cpu.stdout.trim() !== '') {
      rt.say(`HPA ${hpa} sees ${cpu.stdout.trim()} % CPU`);
      return [];
    }
    last = top.exitCode !== 0 ? `kubectl top: ${top.stderr.trim()}` : 'the HPA shows no CPU reading yet (<unknown>)';
    await sleep(5_000);
  }
  return [`no metrics after ${METRICS_WAIT_SECONDS} s (${last}); offline, see --metrics-server in npm run kind -- --help`];
}

/** What a user would check first in a browser, asked of the NodePort. */
async function smokeTest(spec: StackSpec): Promise<string[]> {
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
