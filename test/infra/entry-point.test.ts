/**
 * infra/index.ts as `pulumi up` runs it: the stack's config in Pulumi's config store, the engine
 * replaced by the official mocks, the module imported once. Its named exports are the stack outputs.
 */
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import * as pulumi from '@pulumi/pulumi';
import { loadStackFile } from '../../infra/render-manifests.ts';

test('index.ts reads Pulumi.kind.yaml, declares the Kubernetes tiers and exports the site URL', async () => {
  const types: string[] = [];
  await pulumi.runtime.setMocks({
    newResource: (args) => {
      types.push(args.type);
      const inputs = args.inputs as { metadata?: Record<string, unknown> };
      return { id: `${args.name}-id`, state: { ...inputs, metadata: { ...inputs.metadata, name: inputs.metadata?.name ?? args.name } } };
    },
    call: (args) => args.inputs,
  }, 'ts-gateway-kit', 'kind');
  loadStackFile(join(import.meta.dirname, '..', '..', 'Pulumi.kind.yaml'));
  // Imported after the mocks and the config are in place, as the Pulumi runtime would.
  const program = await import('../../infra/index.ts');
  const siteUrl = await new Promise((resolve) => program.siteUrl.apply(resolve));
  expect(siteUrl).toBe('http://127.0.0.1:30080/');
  expect(program.target).toBe('kubernetes');
  expect(program.namespace).toBe('ts-gateway-kit');
  expect(types).toEqual(expect.arrayContaining(['pulumi:providers:kubernetes', 'kit:kubernetes:GatewayTier', 'kit:kubernetes:StaticTier']));
  expect(types.some((t) => t.startsWith('docker:'))).toBe(false);
});
