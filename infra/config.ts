/**
 * Typed stack config, read once from the Pulumi stack (`Pulumi.<stack>.yaml`, namespace
 * `ts-gateway-kit:`). Every key is optional except `target`; absent keys take the defaults of
 * `spec.ts` (applied with `??`, so `0` and `false` stay what the user wrote).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { appLayers } from './app-layers.ts';
import type { DeployOptions } from './program.ts';
import { STATIC_SERVERS, type StaticServer } from '../static-tier/servers.ts';
import type { DockerNetworkMode, StackConfig, Target } from './spec.ts';

/** Numeric keys, passed through to `StackConfig` unchanged. */
export const NUMBER_KEYS = [
  'sitePort', 'gatewayPort', 'adminPort', 'metricsPort', 'nginxStatusPort', 'nginxExporterPort', 'gatewayReplicas', 'staticReplicas', 'minWorkers',
  'gatewayCpuMillis', 'gatewayMemoryMb', 'staticCpuMillis', 'staticMemoryMb', 'hpaMaxReplicas',
  'hpaCpuTarget', 'gracefulTimeoutSeconds', 'drainDelaySeconds', 'preStopDelaySeconds', 'nodePort',
] as const satisfies readonly (keyof StackConfig)[];

/** String keys, passed through unchanged. */
export const STRING_KEYS = [
  'project', 'imageTag', 'namespace', 'appModule', 'staticRoot', 'nginxRunDir', 'ingressHost', 'ingressClassName', 'ingressTlsSecret',
  'metricsNamespace', 'serviceMonitorRelease', 'stickyPath',
] as const satisfies readonly (keyof StackConfig)[];

const TARGETS: readonly Target[] = ['docker', 'kubernetes'];
const NETWORK_MODES: readonly DockerNetworkMode[] = ['bridge', 'host'];
const SERVICE_TYPES = ['NodePort', 'ClusterIP'] as const;

/** Stack config and deployment options, as the program needs them. */
export interface InfraConfig {
  stack: StackConfig;
  deploy: DeployOptions;
}

/** Read the stack's config; throws naming the key on a value outside its allowed set. */
export function readInfraConfig(config: pulumi.Config = new pulumi.Config()): InfraConfig {
  const stack: StackConfig = { target: config.require('target', { allowedValues: [...TARGETS] }) as Target };
  const mutable = stack as unknown as Record<string, unknown>;
  for (const key of NUMBER_KEYS) mutable[key] = config.getNumber(key);
  for (const key of STRING_KEYS) mutable[key] = config.get(key);
  stack.dockerNetworkMode = config.get('dockerNetworkMode', { allowedValues: [...NETWORK_MODES] }) as DockerNetworkMode | undefined;
  stack.serviceMonitor = config.getBoolean('serviceMonitor');
  stack.staticServiceType = config.get('staticServiceType', { allowedValues: [...SERVICE_TYPES] }) as StackConfig['staticServiceType'];
  stack.staticServer = config.get('staticServer', { allowedValues: [...STATIC_SERVERS] }) as StaticServer | undefined;
  // `app`: the user's server file or framework entry on this machine, layered onto the images.
  const app = config.get('app');
  if (app !== undefined) stack.appLayers = appLayers(app, join(import.meta.dirname, '..'), existsSync);
  const deploy: DeployOptions = {
    kubeContext: config.get('kubeContext'),
    nodeImage: config.get('nodeImage'),
    nginxImage: config.get('nginxImage'),
    httpdImage: config.get('httpdImage'),
  };
  return { stack, deploy };
}
