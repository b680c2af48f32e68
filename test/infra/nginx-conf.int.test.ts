/**
 * The nginx.conf each deploy target ships, exactly as the Pulumi program declares it (Docker:
 * the container's NGINX_CONF; Kubernetes: the ConfigMap), through the real `nginx -t`.
 * Only what this machine lacks is substituted: the container paths move into a temp folder and
 * in-cluster / container host names become `localhost` (nginx resolves upstreams at load time).
 */
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { captureStack } from '../../infra/testing/capture.ts';
import type { StackConfig } from '../../infra/spec.ts';
import { checkConfig, makeRunDir } from '../nginx/nginx-binary.ts';

const TARGETS: [string, StackConfig][] = [
  ['docker bridge', { target: 'docker', gatewayReplicas: 2 }],
  ['docker host', { target: 'docker', dockerNetworkMode: 'host', gatewayReplicas: 2 }],
  ['kubernetes', { target: 'kubernetes' }],
];

/** The nginx.conf the program hands to the static tier of `config`. */
async function shippedConf(config: StackConfig): Promise<{ conf: string; hosts: string[] }> {
  const { resources, spec } = await captureStack(config);
  const hosts = spec.static.nginx.upstream.servers.map((s) => ('host' in s ? s.host : s.socket));
  const configMap = resources.find((r) => r.type === 'kubernetes:core/v1:ConfigMap');
  if (configMap) return { conf: (configMap.inputs.data as Record<string, string>)['nginx.conf']!, hosts };
  const nginx = resources.find((r) => r.type === 'docker:index/container:Container' && r.inputs.name === `${spec.project}-nginx`);
  const env = (nginx?.inputs.envs as string[]).find((e) => e.startsWith('NGINX_CONF='))!;
  return { conf: env.slice('NGINX_CONF='.length), hosts };
}

describe('nginx -t on the config each target ships', () => {
  test.each(TARGETS)('%s', async (label, config) => {
    const { conf, hosts } = await shippedConf(config);
    const dir = await makeRunDir(label.replace(' ', '-'));
    let local = conf.replaceAll('/tmp/nginx', dir).replaceAll('/srv/static', join(dir, 'static'))
      // Under jest nginx's stdout is a socket that /dev/stdout cannot open.
      .replaceAll('/dev/stdout', join(dir, 'access.log'));
    for (const host of hosts) local = local.replaceAll(`server ${host}:`, 'server localhost:');
    const result = await checkConfig(local, dir);
    expect(result.output).toContain('test is successful');
    expect(result.ok).toBe(true);
  });

  test('nginx -t rejects a broken config (the check can fail)', async () => {
    const { conf } = await shippedConf({ target: 'docker', dockerNetworkMode: 'host' });
    const dir = await makeRunDir('broken');
    const result = await checkConfig(conf.replace('proxy_http_version 1.1;', 'proxy_http_version;'), dir);
    expect(result.ok).toBe(false);
  });
});
