/**
 * The static tier's server as a local process (`npm start -- --static-server nginx|apache`): its
 * package, config file name, the check and run commands, and its graceful stop signal. The config
 * itself comes from the pure renderers (static-tier/servers.ts), as on every target.
 */
import type { StaticServer } from '../../static-tier/servers.ts';
import { APACHE, NGINX, type SystemPackage } from './system-packages.ts';

export interface LocalStaticServer {
  name: StaticServer;
  pkg: SystemPackage;
  /** File name of the rendered config in the tier's run folder. */
  confName: string;
  /** Arguments that check the config without starting anything. */
  checkArgs(dir: string, conf: string): string[];
  /** Arguments that run it in the foreground, its master process the leader of its group. */
  runArgs(dir: string, conf: string): string[];
  /** Finish in-flight requests, then exit: nginx's QUIT, Apache's graceful-stop (WINCH). */
  graceful: NodeJS.Signals;
  /** Where it writes its own errors; `stderr` when it can write to ours. */
  errorLog(dir: string): string;
}

export const LOCAL_STATIC_SERVERS: Record<StaticServer, LocalStaticServer> = {
  nginx: {
    name: 'nginx',
    pkg: NGINX,
    confName: 'nginx.conf',
    checkArgs: (dir, conf) => ['-t', '-q', '-e', 'stderr', '-p', dir, '-c', conf],
    runArgs: (dir, conf) => ['-e', 'stderr', '-p', dir, '-c', conf, '-g', 'daemon off;'],
    graceful: 'SIGQUIT',
    // nginx writes to the file descriptor it inherited.
    errorLog: () => 'stderr',
  },
  apache: {
    name: 'apache',
    pkg: APACHE,
    confName: 'httpd.conf',
    checkArgs: (_dir, conf) => ['-t', '-f', conf],
    runArgs: (_dir, conf) => ['-f', conf, '-DFOREGROUND'],
    graceful: 'SIGWINCH',
    // Apache opens its ErrorLog by name, and /dev/stderr cannot be opened on the socket a Node
    // parent gives its child (ENXIO): the log goes to a file that npm start follows.
    errorLog: (dir) => `${dir}/error.log`,
  },
};
