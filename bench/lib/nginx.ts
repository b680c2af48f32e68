/**
 * The static tier in front of a contender: the project's own `renderNginxConf` with the contender
 * as the only upstream, run by Debian's nginx from a private run folder in the foreground, so
 * every contender sits behind the very same rendered config.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findExecutable } from '../../scripts/lib/system-packages.ts';
import { renderNginxConf } from '../../nginx/render.ts';
import { nginxSpec } from '../../nginx/spec.ts';
import { freePort } from './ports.ts';
import { startServer, type RunningServer } from './server.ts';

export interface NginxFront {
  server: RunningServer;
  port: number;
  /** The rendered config file, for the report and for debugging. */
  confFile: string;
}

/**
 * Render and start nginx proxying to 127.0.0.1:`upstream` (a port) or to a unix socket
 * (`{ socket }`). The access log is off: it is the same fixed cost for every contender and would
 * only add disk noise to a shared machine.
 */
export async function startNginxFront(name: string, upstream: number | { socket: string }, runRoot: string): Promise<NginxFront> {
  const nginx = findExecutable('nginx');
  if (!nginx) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const port = await freePort();
  const runDir = resolve(runRoot, `nginx-${name}-${port}`);
  const staticRoot = resolve(runDir, 'static');
  mkdirSync(staticRoot, { recursive: true });
  writeFileSync(resolve(staticRoot, 'hello.txt'), 'static hello\n');
  const spec = nginxSpec({
    listen: { host: '127.0.0.1', port },
    upstream: { servers: [typeof upstream === 'number' ? { host: '127.0.0.1', port: upstream } : upstream] },
    staticRoot,
    paths: { runDir, errorLog: `${runDir}/error.log`, accessLog: 'off' },
  });
  const confFile = resolve(runDir, 'nginx.conf');
  writeFileSync(confFile, renderNginxConf(spec));
  const server = await startServer({
    name: `nginx-${name}`,
    command: nginx,
    args: ['-p', runDir, '-c', confFile, '-g', 'daemon off;'],
    readyUrl: `http://127.0.0.1:${port}${spec.healthPath}`,
    logFile: resolve(runDir, 'stderr.log'),
  });
  return { server, port, confFile };
}
