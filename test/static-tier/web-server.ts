/**
 * The static tier's web server under test, whichever it is: render the spec with that server's
 * renderer, check it with the real binary (`nginx -t`, `apache2 -t`), run it in a private folder on
 * a port from the OS and wait for its health location. A missing binary fails (never skips).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nginxSpec, type NginxSpecInput } from '../../nginx/spec.ts';
import { LOCAL_STATIC_SERVERS } from '../../scripts/lib/static-server.ts';
import { STATIC_SERVERS, renderStaticTierConf, type StaticServer } from '../../static-tier/servers.ts';
import { apacheBinary } from '../apache/apache-binary.ts';
import { nginxBinary } from '../nginx/nginx-binary.ts';
import { freePort } from '../support/net.ts';

export { STATIC_SERVERS, type StaticServer };

/**
 * What differs between the servers where the contract allows it (docs/static-tier.md says why).
 * `retries`: who replays an idempotent request whose gateway connection broke after it was sent.
 * nginx does (proxy_next_upstream); Apache's mod_proxy_http closes the client's keep-alive
 * connection without a response instead, leaving the replay to the client as RFC 9110 §9.2.2 allows.
 */
export const SERVER_TRAITS: Record<StaticServer, { banner: string; binary: () => string; pidFile: string; accessLog: string; retries: 'server' | 'client' }> = {
  nginx: { banner: 'nginx', binary: nginxBinary, pidFile: 'nginx/nginx.pid', accessLog: 'nginx/access.log', retries: 'server' },
  apache: { banner: 'Apache', binary: apacheBinary, pidFile: 'apache/httpd.pid', accessLog: 'apache/access.log', retries: 'client' },
};

export interface RunningWebServer {
  server: StaticServer;
  site: string;
  port: number;
  /** Its private folder; `static/` in it is the static root. */
  dir: string;
  stop(): Promise<void>;
}

/** The spec fields a test chooses; listen, paths and the static root are the helper's. */
export type WebServerInput = Omit<NginxSpecInput, 'listen' | 'paths' | 'staticRoot'>;

export async function startWebServer(server: StaticServer, input: WebServerInput): Promise<RunningWebServer> {
  const local = LOCAL_STATIC_SERVERS[server];
  const bin = SERVER_TRAITS[server].binary();
  const dir = await mkdtemp(join(tmpdir(), `kit-${server}-`));
  await mkdir(join(dir, 'static'));
  const port = await freePort();
  const spec = nginxSpec({
    workerProcesses: 1,
    ...input,
    listen: { host: '127.0.0.1', port },
    staticRoot: join(dir, 'static'),
    paths: { runDir: dir, accessLog: 'off', errorLog: join(dir, 'error.log') },
  });
  const conf = join(dir, local.confName);
  await writeFile(conf, renderStaticTierConf(server, spec));
  const check = spawnSync(bin, local.checkArgs(dir, conf), { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`${bin} refused the rendered config:\n${check.stdout}${check.stderr}`);
  const child: ChildProcess = spawn(bin, local.runArgs(dir, conf), { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const site = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(local.graceful);
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i += 1) {
    if (await fetch(`${site}${spec.healthPath}`).then((r) => r.ok, () => false)) return { server, site, port, dir, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`${server} did not answer its health location`);
}
