/**
 * The servers the gateway is measured against, each with the same worker count and the same app
 * (bench/peers/): a contender turns two free ports into the command that starts it. The first one
 * is the reference every ratio is taken against.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findExecutable } from '../scripts/lib/system-packages.ts';
import type { ServerSpec } from './lib/server.ts';

/** Project root, so commands work from any cwd. */
export const ROOT = resolve(import.meta.dirname, '..');
/** Scratch space for logs, PM2's home and nginx configs; git-ignored. */
export const RUN_DIR = resolve(ROOT, 'run', 'bench');
/** The pinned Node 24 every Node contender runs on. */
export const NODE = resolve(ROOT, 'node_modules', '.bin', 'node');

export interface ContenderPorts {
  /** Where the server takes traffic. */
  port: number;
  /** A second port (the gateway's admin listener); others ignore it. */
  adminPort: number;
}

export interface Contender {
  name: string;
  /** One line for the table: what exactly runs. */
  describe: string;
  spec(ports: ContenderPorts, workers: number): ServerSpec;
  /** A contender reached only through nginx, over this unix socket (no direct row). */
  socket?(ports: ContenderPorts): string;
}

const log = (name: string): string => resolve(RUN_DIR, 'logs', `${name}.log`);

/**
 * The gateway hosting an app module through its CLI: by default the compiled build (`npm run build`,
 * which scripts/bench.ts runs first), as npm start and the images run it.
 */
export function gateway(name: string, app: string, extra: string[] = [], entry = 'dist/gateway/cli.js'): Contender {
  return {
    name,
    describe: `node ${entry} ${app} --workers N ${extra.join(' ')}`.trim(),
    spec: ({ port, adminPort }, workers) => ({
      name,
      command: NODE,
      args: [
        resolve(ROOT, entry),
        resolve(ROOT, app),
        '--workers', String(workers),
        '--bind', `127.0.0.1:${port}`,
        '--admin-bind', `127.0.0.1:${adminPort}`,
        ...extra,
      ],
      readyUrl: `http://127.0.0.1:${adminPort}/readyz`,
      logFile: log(name),
    }),
  };
}

/**
 * Bare node:cluster + node:http: the ceiling; `app: 'fetch'` puts the gateway's adapter in front of
 * the fetch app. `twin` names a second, identical copy: the run's A/A control.
 */
function rawCluster(name: string, app: 'listener' | 'fetch', twin = false): Contender {
  return {
    name,
    describe: twin
      ? 'a second, identical raw-cluster: the A/A control (its ratio to raw-cluster is the run\'s noise floor)'
      : app === 'listener'
        ? 'node:cluster round-robin + bare node:http + the listener app (bench/peers/raw-cluster.ts)'
        : 'node:cluster round-robin + node:http + @hono/node-server + the fetch app (APP=fetch bench/peers/raw-cluster.ts)',
    spec: ({ port }, workers) => ({
      name,
      command: NODE,
      args: [resolve(ROOT, 'bench/peers/raw-cluster.ts')],
      env: { PORT: String(port), WORKERS: String(workers), APP: app },
      readyUrl: `http://127.0.0.1:${port}/`,
      logFile: log(name),
    }),
  };
}

/** PM2 in cluster mode under pm2-runtime, with a private PM2_HOME so no user daemon is touched. */
export const pm2: Contender = {
  name: 'pm2',
  describe: 'pm2-runtime, exec_mode cluster (bench/peers/pm2-hello.ts)',
  spec: ({ port }, workers) => {
    const dir = resolve(RUN_DIR, `pm2-${port}`);
    mkdirSync(dir, { recursive: true });
    const ecosystem = resolve(dir, 'ecosystem.config.cjs');
    const app = {
      name: 'hello',
      script: resolve(ROOT, 'bench/peers/pm2-hello.ts'),
      exec_mode: 'cluster',
      instances: workers,
      env: { PORT: String(port), HOST: '127.0.0.1' },
    };
    writeFileSync(ecosystem, `module.exports = ${JSON.stringify({ apps: [app] }, null, 2)};\n`);
    return {
      name: 'pm2',
      command: NODE,
      args: [resolve(ROOT, 'node_modules/pm2/bin/pm2-runtime'), ecosystem],
      env: { PM2_HOME: resolve(dir, 'home'), PM2_DISCRETE_MODE: 'true' },
      readyUrl: `http://127.0.0.1:${port}/`,
      logFile: log('pm2'),
    };
  },
};

/** Debian's gunicorn with sync workers hosting the WSGI twin of the app. */
export const gunicorn: Contender = {
  name: 'gunicorn',
  describe: 'gunicorn --worker-class sync (bench/peers/hello_wsgi.py)',
  spec: ({ port }, workers) => ({
    name: 'gunicorn',
    command: findExecutable('gunicorn') ?? 'gunicorn',
    args: [
      '--workers', String(workers),
      '--worker-class', 'sync',
      '--bind', `127.0.0.1:${port}`,
      '--chdir', resolve(ROOT, 'bench/peers'),
      // The heartbeat file on tmpfs, as every container guide recommends (gunicorn#1194).
      '--worker-tmp-dir', '/dev/shm',
      'hello_wsgi:application',
    ],
    readyUrl: `http://127.0.0.1:${port}/`,
    logFile: log('gunicorn'),
  }),
};

/**
 * The default line-up: the gateway first (the reference every ratio is taken against), hosting the
 * very handler the raw cluster and PM2 run (bench/peers/hello-listener.ts), so the ratio is the
 * gateway's own cost and nothing else. The fetch app is measured the same way against its own
 * ceiling: the gateway hosting it against a bare cluster running it through the same adapter.
 *
 * `raw-cluster-twin` is the raw cluster again: two identical servers measured in the same rounds
 * show how far this machine alone moves a ratio (bench/lib/summary.ts, CONTROL).
 *
 * `gateway` runs with default settings, exactly as `node dist/gateway/cli.js app.ts` starts it: since
 * 2026-12-03 that means no access log, as none of the peers logs requests by default (gunicorn's
 * accesslog is off, PM2 and the raw cluster log nothing). `gateway-logged` measures `--access-log`.
 */
export const CONTENDERS: Contender[] = [
  gateway('gateway', 'bench/peers/hello-listener.ts'),
  rawCluster('raw-cluster', 'listener'),
  rawCluster('raw-cluster-twin', 'listener', true),
  pm2,
  gunicorn,
  gateway('gateway-fetch', 'bench/peers/hello-app.ts'),
  rawCluster('raw-cluster-fetch', 'fetch'),
  gateway('gateway-logged', 'bench/peers/hello-listener.ts', ['--access-log']),
  gatewayOnSocket('gateway-unix', 'bench/peers/hello-listener.ts'),
];

/** The gateway bound to a unix socket, reached through nginx only: against `gateway` behind nginx over TCP loopback. */
function gatewayOnSocket(name: string, app: string): Contender {
  const socket = ({ port }: ContenderPorts) => resolve(RUN_DIR, `${name}-${port}.sock`);
  const tcp = gateway(name, app);
  return {
    name,
    describe: `node dist/gateway/cli.js ${app} --workers N --bind unix:PATH --socket-mode 666 (nginx's upstream: server unix:PATH)`,
    socket,
    spec: (ports, workers) => {
      const spec = tcp.spec(ports, workers);
      const bind = spec.args.indexOf('--bind');
      spec.args[bind + 1] = `unix:${socket(ports)}`;
      // nginx's workers run as another user than the gateway here (root starts both).
      spec.args.push('--socket-mode', '666');
      return spec;
    },
  };
}

/** The gateway run from its TypeScript sources (Node strips the types at run time): the start-up table's "before". */
export const GATEWAY_SOURCES: Contender = gateway('gateway-sources', 'bench/peers/hello-listener.ts', [], 'gateway/cli.ts');

/** Measured only when named with --only. */
export const EXTRA_CONTENDERS: Contender[] = [
  GATEWAY_SOURCES,
  gateway('gateway-reuse-port', 'bench/peers/hello-listener.ts', ['--listen-strategy', 'reuse-port']),
];
