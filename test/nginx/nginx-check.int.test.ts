/**
 * Every target's rendered nginx.conf goes through the real `nginx -t`: the local stack's, a
 * Docker-like one (container names, a root master dropping to a user), and a Kubernetes-like one
 * whose upstream is a Service DNS name.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localStackConfig, stackSpec } from '../../infra/spec.ts';
import { renderNginxConf } from '../../nginx/render.ts';
import { nginxSpec, type NginxSpec } from '../../nginx/spec.ts';
import { rootPrefix } from '../support/root.ts';
import { checkConfig, makeRunDir } from './nginx-binary.ts';

/**
 * The target's spec with its folders moved into `dir`, which this test may write. The access log
 * goes to a file: under jest nginx's stdout is a socket, which `/dev/stdout` cannot open (ENXIO).
 */
function relocate(spec: NginxSpec, dir: string): NginxSpec {
  return nginxSpec({ ...spec, staticRoot: join(dir, 'static'), paths: { ...spec.paths, runDir: dir, tempDir: undefined, accessLog: join(dir, 'access.log') } });
}

describe('nginx -t on each target\'s rendered config', () => {
  it.each(['local', 'docker'] as const)('%s', async (target) => {
    const dir = await makeRunDir(target);
    const config = target === 'local' ? localStackConfig({ sitePort: 18080 }) : { target, gatewayReplicas: 2 };
    const spec = relocate(stackSpec(config).static.nginx, dir);
    // Docker's bridge addresses replicas by container name; stand them in with a name that resolves here.
    const servers = spec.upstream.servers.map((s) => ('host' in s && target === 'docker' ? { ...s, host: 'localhost' } : s));
    const result = await checkConfig(renderNginxConf({ ...spec, upstream: { ...spec.upstream, servers } }), dir);
    expect(result.output).toContain('test is successful');
    expect(result.ok).toBe(true);
  });

  it('a Docker-like spec: root master dropping to a user, fixed workers, file logs', async () => {
    const dir = await makeRunDir('docker-user');
    await mkdir(join(dir, 'logs'));
    const spec = nginxSpec({
      listen: { host: '0.0.0.0', port: 18081 },
      upstream: { servers: [{ host: 'localhost', port: 8000 }, { host: '127.0.0.1', port: 8001 }] },
      staticRoot: '/srv/static',
      user: 'nobody nogroup',
      workerProcesses: 2,
      paths: { runDir: dir, errorLog: join(dir, 'logs/error.log'), accessLog: join(dir, 'logs/access.log') },
    });
    const result = await checkConfig(renderNginxConf(spec), dir);
    expect(result.output).toContain('test is successful');
  });

  it('with stickyPath (socket.io on the sticky strategy), one replica and two', async () => {
    for (const servers of [[{ host: '127.0.0.1', port: 8000 }], [{ host: 'localhost', port: 8000 }, { host: '127.0.0.1', port: 8001 }]]) {
      const dir = await makeRunDir(`sticky-${servers.length}`);
      const spec = nginxSpec({ listen: { host: '127.0.0.1', port: 18082 }, upstream: { servers }, stickyPath: '/socket.io/', staticRoot: '/srv/static', paths: { runDir: dir, accessLog: 'off' } });
      const result = await checkConfig(renderNginxConf(spec), dir);
      expect(result.output).toContain('test is successful');
    }
  });

  describe('Kubernetes: the gateway Service by DNS name', () => {
    const kube = stackSpec({ target: 'kubernetes' }).static.nginx;
    const serviceName = (kube.upstream.servers[0] as { host: string }).host;

    it('names a cluster-local Service', () => {
      expect(serviceName).toMatch(/\.svc\.cluster\.local$/);
    });

    it('resolved per request through the cluster DNS: loads even where the name does not resolve', async () => {
      const dir = await makeRunDir('k8s-resolver');
      const spec = relocate(kube, dir);
      const perRequest = { ...spec, upstream: { ...spec.upstream, resolve: { resolver: '10.96.0.10', validSeconds: 10 } } };
      const result = await checkConfig(renderNginxConf(perRequest), dir);
      expect(result.output).toContain('test is successful');
    });

    it('resolved at start-up (the spec as infra renders it): loads where the Service name resolves', async () => {
      const dir = await makeRunDir('k8s-startup');
      const conf = renderNginxConf(relocate(kube, dir));
      // Outside a cluster the name does not resolve, which nginx refuses at load time…
      const outside = await checkConfig(conf, dir);
      expect(outside.ok).toBe(false);
      expect(outside.output).toContain('host not found in upstream');
      // …inside one it does. Stand in the cluster DNS with a private /etc/hosts in a mount namespace
      // (root, or sudo -n), so the machine's own /etc/hosts is never touched.
      const asRoot = await rootPrefix('standing in the cluster DNS with a private /etc/hosts');
      if (!asRoot) return;
      const hosts = join(dir, 'hosts');
      await writeFile(hosts, `127.0.0.1 localhost\n10.96.7.7 ${serviceName}\n`);
      const inside = await checkConfig(conf, dir, [...asRoot, 'unshare', '-m', 'sh', '-c', `mount --bind ${hosts} /etc/hosts && exec "$@"`, 'sh']);
      expect(inside.output).toContain('test is successful');
    });
  });
});
