/**
 * A real static tier with its metrics on: the stack spec's nginx.conf (local target, tier metrics
 * on, in a temp folder) run by the real nginx in front of `upstreamPort`, and Debian's
 * prometheus-nginx-exporter started with the spec's arguments once nginx answers.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { localStackConfig, stackSpec } from '../../infra/spec.ts';
import { renderNginxConf } from '../../nginx/render.ts';
import { nginxSpec } from '../../nginx/spec.ts';
import { checkConfig, makeRunDir, nginxBinary } from '../nginx/nginx-binary.ts';
import { freePorts } from './net.ts';
import { startNginxExporter, type ExporterProcess } from './nginx-exporter.ts';

export interface StaticTier {
  /** The public site, e.g. http://127.0.0.1:PORT */
  site: string;
  /** The stub_status server (loopback). */
  status: string;
  exporter: ExporterProcess;
  stop(): Promise<void>;
}

export async function startStaticTier(upstreamPort: number): Promise<StaticTier> {
  const [sitePort, statusPort, exporterPort, adminPort] = (await freePorts(4)) as [number, number, number, number];
  const dir = await makeRunDir('static-tier');
  const spec = stackSpec(localStackConfig({
    sitePort, gatewayPort: upstreamPort, adminPort, tierMetrics: true, nginxStatusPort: statusPort, nginxExporterPort: exporterPort, nginxRunDir: dir,
  }));
  const conf = renderNginxConf(nginxSpec({ ...spec.static.nginx, workerProcesses: 1, paths: { runDir: dir, accessLog: 'off' } }));
  const check = await checkConfig(conf, dir);
  if (!check.ok) throw new Error(`nginx -t refused the rendered config:\n${check.output}`);
  const nginx = spawn(nginxBinary(), ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => nginx.once('exit', resolve));
  const stopNginx = async () => {
    if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGQUIT');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const site = `http://127.0.0.1:${sitePort}`;
  for (let i = 0; i < 50 && !(await fetch(`${site}/nginx-health`).then((r) => r.ok, () => false)); i += 1) await new Promise((r) => setTimeout(r, 100));
  // The exporter stops at once when stub_status does not answer at its start.
  const exporter = await startNginxExporter(spec.static.exporter!.args, exporterPort).catch(async (error: unknown) => {
    await stopNginx();
    throw error;
  });
  return {
    site, status: `http://127.0.0.1:${statusPort}`, exporter,
    async stop() {
      await exporter.stop();
      await stopNginx();
    },
  };
}
