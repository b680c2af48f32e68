/**
 * Run the Pulumi program under Pulumi's official unit-test mocks and capture what it declares:
 * every resource's type, name and the exact inputs a provider would receive. No Pulumi CLI,
 * no Docker engine, no cluster. Used by the infra tests, by `npm run k8s:render`, and by the
 * container suite, which starts the Docker containers the program declares.
 *
 * The mocks are process-global (`pulumi.runtime.setMocks`): run one capture at a time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as pulumi from '@pulumi/pulumi';
import type { DeployOptions } from '../program.ts';
import { stackSpec, type StackConfig, type StackSpec } from '../spec.ts';

/** One declared resource as the engine would have received it. */
export interface CapturedResource {
  /** Pulumi type token, e.g. `docker:index/container:Container`, `kubernetes:apps/v1:Deployment`. */
  type: string;
  /** Pulumi resource name (logical, not the Kubernetes/Docker object name). */
  name: string;
  /** Inputs as the provider would get them (plain JSON; Outputs resolved). */
  inputs: Record<string, unknown>;
  /** False for ComponentResources. */
  custom: boolean;
  /** `<provider urn>::<id>` for resources under an explicit provider. */
  provider?: string;
}

/** What a capture returns: the resources, the resolved stack outputs and the spec they came from. */
export interface CapturedStack {
  spec: StackSpec;
  resources: CapturedResource[];
  siteUrl: string;
}

/** Milliseconds without a new registration after which the program is considered done. */
const QUIET_MS = 150;

/** Capture the resources the program declares for `config`. */
export async function captureResources(config: StackConfig, options: DeployOptions = {}): Promise<CapturedResource[]> {
  return (await captureStack(config, options)).resources;
}

/** Capture resources and outputs for `config`. */
export async function captureStack(config: StackConfig, options: DeployOptions = {}): Promise<CapturedStack> {
  const resources: CapturedResource[] = [];
  await pulumi.runtime.setMocks({
    newResource: (args) => {
      resources.push({
        type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, custom: args.custom ?? true,
        ...(args.provider ? { provider: args.provider } : {}),
      });
      return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs as Record<string, unknown>) };
    },
    call: (args) => args.inputs,
  }, 'ts-gateway-kit', config.target, false);
  // Imported after setMocks, as Pulumi's testing guide asks (the program creates nothing at import).
  const { deployStack } = await import('../program.ts');
  const spec = stackSpec(config);
  const outputs = deployStack(spec, options);
  const siteUrl = await new Promise<string>((resolve) => outputs.siteUrl.apply(resolve));
  await settle(() => resources.length);
  return { spec, resources, siteUrl };
}

/** Kubernetes objects among captured resources, as plain manifests (apiVersion, kind, metadata…). */
export function kubernetesObjects(resources: CapturedResource[]): Record<string, unknown>[] {
  return resources
    .filter((r) => r.custom && r.type.startsWith('kubernetes:') && !r.type.startsWith('pulumi:providers:'))
    .map((r) => r.inputs);
}

/**
 * What the mock engine answers: the inputs, plus what a real provider would fill in that the
 * program reads back (Kubernetes object names, image references).
 */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (type.startsWith('kubernetes:')) {
    const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
    return { ...inputs, metadata: { ...metadata, name: metadata.name ?? name } };
  }
  return inputs;
}

async function settle(count: () => number): Promise<void> {
  let last = -1;
  while (last !== count()) {
    last = count();
    await sleep(QUIET_MS);
  }
}
