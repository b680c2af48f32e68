/**
 * `npm start`: the whole stack on this machine — nginx or Apache (static tier, `--static-server`)
 * → gateway (worker pool) → app.
 *
 *   preflight (settings, lock, ports, the web server installed) → build the app → render its config
 *   into run/ and check it (`nginx -t`, `apache2 -t`) → start the gateway, wait for /readyz → start
 *   the web server, wait for its health location → print the URLs → show both tiers' logs,
 *   labelled → on Ctrl-C/TERM stop the web server (graceful), then the gateway (graceful drain),
 *   and wait for both. A second Ctrl-C forces.
 *   Killed outright (SIGKILL, OOM), it leaves a watchdog behind that stops both tiers within
 *   seconds (lib/tier-watchdog.ts); the next start takes over its lock and waits for its ports.
 *
 *   npm start -- --help
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { $, parseArgv } from 'zx';
import { buildStatic } from '../app/build.ts';
import { buildDist } from './build.ts';
import { localStackConfig, stackSpec, type StackSpec } from '../infra/spec.ts';
import { nginxSpec } from '../nginx/spec.ts';
import { renderStaticTierConf } from '../static-tier/servers.ts';
import { acquireRunLock, isPortFreeWithin } from './lib/run-lock.ts';
import { parseStackSettings, stackHelp, stackPorts, StackSettingsError, type StackSettings } from './lib/stack-settings.ts';
import { startMonitoring } from './lib/local-prometheus.ts';
import { ensureSystemPackages, findExecutable } from './lib/system-packages.ts';
import { readableStaticCopy } from './lib/static-copy.ts';
import { LOCAL_STATIC_SERVERS, type LocalStaticServer } from './lib/static-server.ts';
import { followFile } from './lib/tail-file.ts';
import { localGatewayCommand } from './lib/local-gateway.ts';
import { settlesWithin, startTier, startWatchdog, type TierProcess } from './lib/tier-process.ts';
import { waitForOk } from './lib/wait-http.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** How long the web server may finish in-flight requests after its graceful signal before it is killed. */
const STATIC_STOP_MS = 10_000;
/** Margin on top of the gateway's own graceful timeout. */
const GATEWAY_STOP_MARGIN_MS = 5_000;
const BOOT_TIMEOUT_MS = 60_000;
/** How long the tiers get to stop gracefully once the watchdog sees this script die. */
const ORPHAN_STOP_MS = 5_000;
/** How long a start waits for the ports of a stack that died to be released by its watchdog. */
const DEAD_RUN_PORTS_MS = ORPHAN_STOP_MS + 5_000;

$.verbose = false;
const say = (line: string) => process.stderr.write(`[stack] ${line}\n`);

function fail(message: string, exitCode = 1): never {
  say(message);
  process.exit(exitCode);
}

function readSettings(): StackSettings {
  const flags = parseArgv(process.argv.slice(2), { boolean: ['help'], alias: { h: 'help' } });
  if (flags.help) {
    console.log(stackHelp());
    process.exit(0);
  }
  try {
    return parseStackSettings(flags);
  } catch (error) {
    if (error instanceof StackSettingsError) fail(`bad setting: ${error.message}`, 2);
    throw error;
  }
}

/** The stack spec for this machine, with the web server's logs where a child process can write them. */
function localSpec(settings: StackSettings, runDir: string): StackSpec {
  const server = LOCAL_STATIC_SERVERS[settings.staticServer];
  const tierDir = join(runDir, server.name);
  const spec = stackSpec(
    localStackConfig({
      sitePort: settings.sitePort,
      gatewayPort: settings.gatewayPort,
      adminPort: settings.adminPort,
      minWorkers: settings.minWorkers,
      maxWorkers: settings.maxWorkers,
      appModule: settings.app,
      nginxRunDir: tierDir,
      staticServer: server.name,
      ...(settings.prometheus
        ? { tierMetrics: true, metricsPort: settings.metricsPort, nginxStatusPort: settings.nginxStatusPort, nginxExporterPort: settings.exporterPort }
        : {}),
    }),
  );
  const paths = { ...spec.static.nginx.paths, accessLog: join(tierDir, 'access.log'), errorLog: server.errorLog(tierDir) };
  const nginx = nginxSpec({ ...spec.static.nginx, paths });
  return { ...spec, static: { ...spec.static, nginx } };
}

async function preflight(settings: StackSettings, spec: StackSpec, runDir: string) {
  const adminUrl = `http://127.0.0.1:${spec.gateway.adminPort}`;
  const lock = await acquireRunLock(runDir, {
    pid: process.pid,
    script: process.argv[1]!,
    siteUrl: spec.site.url,
    statusUrl: `${adminUrl}/status`,
    startedAt: new Date().toISOString(),
  });
  if ('heldBy' in lock) {
    const { pid, siteUrl, statusUrl } = lock.heldBy;
    fail(`a stack is already running (pid ${pid}): site ${siteUrl}, status ${statusUrl}. Stop it with Ctrl-C in its terminal (or kill ${pid}), or use another --run-dir and ports.`);
  }
  // A stack that died moments ago: its watchdog is still stopping its tiers, so give it the time.
  if (lock.tookOverFrom) say(`a previous stack (pid ${lock.tookOverFrom.pid}) ended without stopping; waiting for its ports`);
  const waitMs = lock.tookOverFrom ? DEAD_RUN_PORTS_MS : 0;
  for (const [flag, port] of Object.entries(stackPorts(settings))) {
    if (!(await isPortFreeWithin(port, waitMs))) {
      await lock.release();
      fail(`port ${port} (${flag}) is already in use by another program; pick a free one, e.g. npm start -- ${flag} ${port + 100}`);
    }
  }
  return { ...lock, adminUrl };
}

/** Stop both tiers: the web server first so no new request reaches a draining gateway. */
async function stopTiers(tiers: TierProcess[], server: LocalStaticServer, gracefulSeconds: number, force: Promise<void>): Promise<void> {
  const forced = force.then(() => {
    say('second signal: killing both tiers now');
    tiers.forEach((tier) => tier.killGroup());
  });
  for (const tier of [...tiers].reverse()) {
    const isStatic = tier.label === server.name;
    // The web server finishes in-flight requests on its graceful signal. Gateway: TERM = graceful drain.
    tier.signal(isStatic ? server.graceful : 'SIGTERM');
    const limit = isStatic ? STATIC_STOP_MS : gracefulSeconds * 1000 + GATEWAY_STOP_MARGIN_MS;
    if (!(await settlesWithin(Promise.race([tier.exited, forced]), limit))) {
      say(`${tier.label} did not stop within ${limit / 1000} s: killing it`);
    }
    // Whatever happened, leave no worker of this tier behind.
    tier.killGroup();
    await tier.exited;
  }
}

/**
 * The spec the web server is given: a root-started Apache serves as an unprivileged user, so static
 * folders that user cannot read are served from a readable copy (lib/static-copy.ts).
 */
async function servedStaticSpec(server: LocalStaticServer, spec: StackSpec) {
  const none = { spec: spec.static.nginx, remove: async () => {} };
  if (server.name !== 'apache' || process.geteuid?.() !== 0) return none;
  const copy = await readableStaticCopy(spec.static.nginx);
  if (copy.copied.length > 0) say(`apache serves a readable copy of ${copy.copied.join(', ')} (its user cannot enter them)`);
  return copy;
}

async function main(): Promise<number> {
  const settings = readSettings();
  const runDir = resolve(ROOT, settings.runDir);
  const spec = localSpec(settings, runDir);
  const server = LOCAL_STATIC_SERVERS[spec.static.server];
  const { release, adminUrl } = await preflight(settings, spec, runDir);
  const tiers: TierProcess[] = [];
  let stopRequested!: () => void;
  let forceRequested!: () => void;
  const stopSignal = new Promise<void>((r) => (stopRequested = r));
  const forceSignal = new Promise<void>((r) => (forceRequested = r));
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      signals += 1;
      if (signals === 1) say(`${signal}: stopping (again to force)`);
      (signals === 1 ? stopRequested : forceRequested)();
    });
  }
  // Last resort: if this script dies on an exception, its children must not outlive it; if it is
  // killed outright (SIGKILL, OOM), the watchdog stops them.
  process.on('exit', () => tiers.forEach((tier) => tier.killGroup()));
  const watchdog = startWatchdog(ORPHAN_STOP_MS);
  const stopFollowing: Array<() => Promise<void>> = [];
  let removeCopy = async () => {};
  try {
    await ensureSystemPackages([server.pkg]);
    const manifest = await buildStatic();
    // The gateway and the app run compiled (dist/): Node's type stripper would cost each process ~17 MiB.
    await buildDist();
    say(`built the app: ${Object.keys(manifest).length} static files fingerprinted, code compiled into dist/`);
    for (const { framework, prefix, root } of spec.static.nginx.immutableAssets) {
      say(`${framework} build: ${server.name} serves ${prefix} from ${root} (immutable)`);
    }
    const tierDir = spec.static.nginx.paths.runDir;
    await mkdir(tierDir, { recursive: true });
    const staticSpec = await servedStaticSpec(server, spec);
    removeCopy = staticSpec.remove;
    const confFile = join(tierDir, server.confName);
    await writeFile(confFile, renderStaticTierConf(server.name, staticSpec.spec));
    const logs = [staticSpec.spec.paths.accessLog, staticSpec.spec.paths.errorLog].filter((log) => log.startsWith(tierDir));
    for (const log of logs) await writeFile(log, '');
    const bin = findExecutable(server.pkg.bin)!;
    const check = await $({ nothrow: true })`${bin} ${server.checkArgs(tierDir, confFile)}`.timeout('20s');
    if (check.exitCode !== 0) throw new Error(`${server.pkg.bin} refused ${confFile}:\n${check.stderr}`);

    const { workers, appModule } = spec.gateway;
    say(`starting the gateway: ${appModule} with ${workers.min}..${workers.max} workers`);
    const launch = localGatewayCommand(spec, ROOT);
    const gateway = startTier('gateway', launch.command, launch.args, { cwd: launch.cwd, env: launch.env });
    tiers.push(gateway);
    watchdog.watch(gateway, 'SIGTERM');
    const exitedEarly = (tier: TierProcess) => () => (tier.child.exitCode !== null || tier.child.signalCode !== null ? `${tier.label} exited` : undefined);
    await Promise.race([waitForOk(`${adminUrl}/readyz`, { timeoutMs: BOOT_TIMEOUT_MS, gaveUp: exitedEarly(gateway) }), stopSignal]);

    const web = startTier(server.name, bin, server.runArgs(tierDir, confFile));
    tiers.push(web);
    watchdog.watch(web, server.graceful);
    for (const log of logs) stopFollowing.push(followFile(log, (line) => process.stdout.write(`[${server.name}] ${line}\n`)));
    const health = `http://127.0.0.1:${spec.static.nginx.listen.port}${spec.static.nginx.healthPath}`;
    await Promise.race([waitForOk(health, { timeoutMs: BOOT_TIMEOUT_MS, gaveUp: exitedEarly(web) }), stopSignal]);
    const monitoring = settings.prometheus && signals === 0
      ? await startMonitoring(spec, runDir, settings.prometheusPort, (tier) => {
        tiers.push(tier);
        watchdog.watch(tier, 'SIGTERM');
      })
      : undefined;

    if (signals === 0) {
      say('ready');
      say(`  site:    http://127.0.0.1:${spec.static.nginx.listen.port}/`);
      say(`  status:  ${adminUrl}/status   (admin listener: loopback only, never through ${server.name})`);
      say(`  metrics: ${adminUrl}/metrics`);
      if (monitoring) {
        say(`  prometheus: ${monitoring.url}   (scraping ${monitoring.tiers.length > 1 ? 'the gateway and nginx' : 'the gateway'} every 5 s, alerts: ${monitoring.url}/alerts)`);
      }
      say(`Ctrl-C stops ${monitoring ? 'everything' : 'both tiers'}.`);
    }
    const firstExit = Promise.race(tiers.map((tier) => tier.exited.then(() => tier.label)));
    const why = await Promise.race([stopSignal.then(() => undefined), firstExit]);
    if (why) say(`${why} exited on its own: stopping the stack`);
    await stopTiers(tiers, server, spec.gateway.gracefulTimeoutSeconds, forceSignal);
    say('stopped');
    return why ? 1 : 0;
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    await stopTiers(tiers, server, 5, forceSignal);
    return 1;
  } finally {
    await watchdog.close();
    await Promise.all(stopFollowing.map((stop) => stop()));
    await removeCopy();
    await release();
  }
}

process.exitCode = await main();
