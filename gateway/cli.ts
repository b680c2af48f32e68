#!/usr/bin/env node
/**
 * The `gateway` command. Usage errors and bad settings end here with a message naming the
 * problem and the exit code from the table in errors.ts.
 */
import { readFileSync } from 'node:fs';
import { ExitCode, GatewayError, exitCodeOf } from './errors.ts';
import type { LoadInput, LoadedSettings } from './settings/load.ts';

// Each path imports what it needs when it is taken: the master never loads the app interface
// (hono, the fetch adapter), which only `--check-config` and the workers use.

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `--check-config`: settings valid and the app loads; prints what would run. */
async function checkConfig(input: LoadInput, loaded: LoadedSettings, cpus: number): Promise<number> {
  const [{ resolvePool }, { captureListen, loadApps }, { mountsOf }] = await Promise.all([
    import('./settings/pool.ts'),
    import('./interface/index.ts'),
    import('./worker/env.ts'),
  ]);
  const pool = resolvePool(loaded.settings, 'workers' in loaded.sources, cpus);
  const capture = captureListen();
  const apps = await loadApps(mountsOf(loaded.settings), { cwd: input.cwd, capture, listenWaitMs: loaded.settings.bootTimeout * 1000 });
  const summary = { ok: true, pool, apps: mountsOf(loaded.settings), kinds: apps.kinds, sources: loaded.sources, config: loaded.configPath ?? null };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return ExitCode.OK;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'health') return (await import('./health.ts')).runHealth(argv.slice(1), process.env);
  const { loadSettings } = await import('./settings/load.ts');
  const input: LoadInput = { argv, env: process.env, cwd: process.cwd() };
  const loaded = await loadSettings(input);
  if (loaded.help) {
    process.stdout.write(`${(await import('./settings/help.ts')).renderHelp()}\n`);
    return ExitCode.OK;
  }
  const [{ defaultExtras }, { runMaster }, { resolvePool }] = await Promise.all([
    import('./defaults.ts'),
    import('./master/run.ts'),
    import('./settings/pool.ts'),
  ]);
  const extras = defaultExtras(VERSION);
  if (loaded.settings.checkConfig) return checkConfig(input, loaded, extras.cpus);
  resolvePool(loaded.settings, 'workers' in loaded.sources, extras.cpus); // fail before binding
  return runMaster(loaded, input, extras);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof GatewayError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`gateway: error: ${message}\n`);
    process.exit(exitCodeOf(error));
  },
);
