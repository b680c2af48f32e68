/**
 * Bad configuration as data: each entry is a `gateway --check-config` invocation that must exit 2
 * (nothing bound, nothing forked) with a message naming the setting, its source and the problem.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { NODE, ROOT, RUN_DIR } from '../contenders.ts';

const run = promisify(execFile);

export interface BadConfig {
  /** Flags after `--check-config bench/peers/hello-app.ts`. */
  args: string[];
  env?: Record<string, string>;
  /** A config file's text (written to a temporary gateway.config.ts and passed with --config). */
  configFile?: string;
  /** The text the error must contain. */
  message: string;
}

export const BAD_CONFIGS: BadConfig[] = [
  { args: ['--workers', 'abc'], message: 'invalid setting: workers (--workers) = not a number: expected a whole number' },
  { args: ['--workers', '0'], message: 'invalid setting: workers (--workers) = 0: must be at least 1' },
  { args: ['--workers', '2.5'], message: 'workers (--workers) = not a number' },
  { args: ['--timeout=0'], message: 'timeout (--timeout) = 0: must be at least 1 second' },
  { args: ['--graceful-timeout=-1'], message: 'gracefulTimeout (--graceful-timeout) = -1: must be 0 or more seconds' },
  { args: ['--bind', 'nope'], message: 'bind (--bind) = "nope": expected HOST:PORT' },
  { args: ['--bind', '127.0.0.1:99999'], message: 'bind (--bind) = "127.0.0.1:99999": port must be 0..65535' },
  { args: ['--admin-bind', ':9000'], message: 'adminBind (--admin-bind) = ":9000": expected HOST:PORT' },
  { args: ['--listen-strategy', 'fastest'], message: 'listenStrategy (--listen-strategy) = "fastest"' },
  { args: ['--max-header-size', '10'], message: 'maxHeaderSize (--max-header-size) = 10: must be at least 1024 bytes' },
  { args: ['--min-workers', '4', '--max-workers', '2'], message: 'minWorkers (4) is greater than maxWorkers (2)' },
  { args: ['--log-level', 'loud'], message: 'logLevel (--log-level) = "loud"' },
  { args: ['--mount', 'api=./x.ts'], message: 'mounts (--mount)' },
  { args: ['--frobnicate'], message: "bad usage: Unknown option '--frobnicate'" },
  { args: [], env: { GATEWAY_WORKERS: 'many' }, message: 'workers (GATEWAY_WORKERS) = not a number' },
  { args: [], env: { WEB_CONCURRENCY: '-3' }, message: 'workers (WEB_CONCURRENCY) = -3: must be at least 1' },
  { args: [], env: { GATEWAY_WORKERZ: '2' }, message: 'unknown setting: environment variable GATEWAY_WORKERZ (did you mean GATEWAY_WORKERS?)' },
  { args: [], configFile: 'export default { workers: "two" };\n', message: 'workers' },
  { args: [], configFile: 'export default { wrokers: 2 };\n', message: 'unknown setting: wrokers' },
  { args: [], configFile: 'export default {\n', message: 'cannot load the config file' },
];

/** Run one bad config; resolves with the exit code and everything printed. */
export async function runBadConfig(bad: BadConfig, index: number): Promise<{ exitCode: number; output: string }> {
  const args = [resolve(ROOT, 'gateway/cli.ts'), '--check-config', 'bench/peers/hello-app.ts', ...bad.args];
  if (bad.configFile !== undefined) {
    const dir = resolve(RUN_DIR, 'faults', 'config');
    mkdirSync(dir, { recursive: true });
    const file = resolve(dir, `bad-${index}.config.ts`);
    writeFileSync(file, bad.configFile);
    args.push('--config', file);
  }
  // A clean environment apart from PATH, so the machine's own GATEWAY_* variables cannot interfere.
  const env = { PATH: process.env.PATH ?? '', ...bad.env };
  try {
    const r = await run(NODE, args, { cwd: ROOT, env, timeout: 30_000 });
    return { exitCode: 0, output: r.stdout + r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: typeof e.code === 'number' ? e.code : -1, output: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}
