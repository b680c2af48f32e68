/**
 * Every target's spec rendered for Apache goes through the real `apache2 -t -f`: the local stack's,
 * a Docker-like one (two replicas by container name behind a balancer, a root master dropping to a
 * user), and a Kubernetes-like one whose upstream is a Service DNS name resolved per request.
 */
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { APACHE_MODULES_DIR, renderApacheConf } from '../../apache/render.ts';
import { localStackConfig, stackSpec } from '../../infra/spec.ts';
import { nginxSpec, type NginxSpec } from '../../nginx/spec.ts';
import { apacheBinary, checkApacheConfig, makeApacheRunDir } from './apache-binary.ts';

/** The target's spec with its folders moved into `dir`, which this test may write. */
function relocate(spec: NginxSpec, dir: string): NginxSpec {
  return nginxSpec({ ...spec, staticRoot: join(dir, 'static'), paths: { ...spec.paths, runDir: dir, tempDir: undefined, accessLog: join(dir, 'access.log') } });
}

describe('apache2 -t on each target\'s rendered config', () => {
  it('finds apache2', () => {
    expect(apacheBinary()).toMatch(/apache2$/);
  });

  it.each([
    ['local', localStackConfig({ sitePort: 18090, staticServer: 'apache' })],
    ['docker', { target: 'docker' as const, gatewayReplicas: 2, staticServer: 'apache' as const }],
    ['kubernetes', { target: 'kubernetes' as const, staticServer: 'apache' as const }],
  ])('%s', async (_target, config) => {
    const dir = await makeApacheRunDir('check');
    const conf = renderApacheConf(relocate(stackSpec(config).static.nginx, dir));
    const result = await checkApacheConfig(conf, dir);
    expect(result.output).toContain('Syntax OK');
    expect(result.ok).toBe(true);
  });

  it('a Docker-like spec: root master dropping to a user, per-request DNS, file logs', async () => {
    const dir = await makeApacheRunDir('docker-user');
    const spec = nginxSpec({
      listen: { host: '0.0.0.0', port: 18091 },
      upstream: { servers: [{ host: 'gateway-0', port: 8000 }, { host: 'gateway-1', port: 8000 }], resolve: { resolver: '10.96.0.10', validSeconds: 10 } },
      staticRoot: '/srv/static',
      user: 'www-data www-data',
      workerProcesses: 2,
      paths: { runDir: dir, errorLog: join(dir, 'error.log'), accessLog: join(dir, 'access.log') },
    });
    const result = await checkApacheConfig(renderApacheConf(spec), dir);
    expect(result.output).toContain('Syntax OK');
  });

  it('refuses a module folder without the modules, naming the file', async () => {
    const dir = await makeApacheRunDir('no-modules');
    const spec = relocate(stackSpec(localStackConfig({ sitePort: 18092 })).static.nginx, dir);
    const result = await checkApacheConfig(renderApacheConf(spec, { modulesDir: APACHE_MODULES_DIR.official }), dir);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(`${APACHE_MODULES_DIR.official}/mod_mpm_event.so`);
  });
});
