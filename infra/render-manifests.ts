/**
 * `npm run k8s:render`: the Kubernetes manifests of the kind stack as YAML files in
 * k8s/manifests/, for people who deploy with kubectl alone (`kubectl apply -f k8s/manifests/`).
 * They come from the same program as `pulumi up`, run under Pulumi's mocks (no CLI, no cluster):
 * the objects are exactly the inputs the Kubernetes provider would receive.
 * A test renders them again and fails when the committed files are stale.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse, stringify } from 'yaml';
import { readInfraConfig } from './config.ts';
import { captureStack, kubernetesObjects } from './testing/capture.ts';

const ROOT = join(import.meta.dirname, '..');
/** Where the manifests go. */
export const MANIFEST_DIR = join(ROOT, 'k8s', 'manifests');
/** The stack file they are rendered from. */
export const KIND_STACK_FILE = join(ROOT, 'Pulumi.kind.yaml');
const PROJECT = 'ts-gateway-kit';

/** Apply order: what others refer to comes first. */
const KIND_ORDER = ['Namespace', 'ConfigMap', 'Service', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy'];
const HEADER = '# Rendered from infra/ by `npm run k8s:render` (Pulumi.kind.yaml config). Do not edit: change infra/ and render again.\n';

/** Read a `Pulumi.<stack>.yaml` into Pulumi's config store, as the CLI would hand it to the program. */
export function loadStackFile(file: string): void {
  const config = (parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> }).config ?? {};
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
}

/** File name → YAML text of every manifest, rendered from the kind stack's config. */
export async function renderManifests(stackFile = KIND_STACK_FILE): Promise<Map<string, string>> {
  loadStackFile(stackFile);
  const { stack, deploy } = readInfraConfig(new pulumi.Config(PROJECT));
  const { resources } = await captureStack(stack, deploy);
  const objects = kubernetesObjects(resources).sort((a, b) => rank(a) - rank(b) || name(a).localeCompare(name(b)));
  return new Map(objects.map((object, index) => [
    `${String(index).padStart(2, '0')}-${String(object.kind).toLowerCase()}-${name(object)}.yaml`,
    HEADER + stringify(object, { sortMapEntries: false, lineWidth: 0 }),
  ]));
}

/** The manifests currently committed. */
export function readManifestDir(dir = MANIFEST_DIR): Map<string, string> {
  const files = readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.yaml'));
  return new Map(files.map((f) => [f.name, readFileSync(join(dir, f.name), 'utf8')]));
}

function rank(object: Record<string, unknown>): number {
  const index = KIND_ORDER.indexOf(String(object.kind));
  return index === -1 ? KIND_ORDER.length : index;
}

function name(object: Record<string, unknown>): string {
  return String((object.metadata as { name?: string } | undefined)?.name ?? '');
}

if (import.meta.main) {
  const manifests = await renderManifests();
  rmSync(MANIFEST_DIR, { recursive: true, force: true });
  mkdirSync(MANIFEST_DIR, { recursive: true });
  for (const [file, text] of manifests) writeFileSync(join(MANIFEST_DIR, file), text);
  console.error(`[k8s:render] ${manifests.size} manifests → k8s/manifests/`);
}
