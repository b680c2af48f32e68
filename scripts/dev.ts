/**
 * `npm run dev`: Django's `runserver` for this kit. One process serving the app and its static
 * files, restarted when a file under app/ changes. Not for production: no nginx, no worker pool,
 * no supervision — `npm start` is the real stack.
 *
 *   npm run dev -- [--bind HOST:PORT] [--allow-remote]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { parseArgv } from 'zx';

const ROOT = resolve(import.meta.dirname, '..');
const APP_DIR = join(ROOT, 'app');
const say = (line: string) => process.stderr.write(`[dev] ${line}\n`);

/** `HOST:PORT` or `[v6]:PORT` → parts; throws naming the flag. */
export function parseBind(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`--bind=${value}: expected HOST:PORT, e.g. 127.0.0.1:8000`);
  return { host: (match[1] ?? match[2])!, port };
}

/** Loopback only: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function main(): void {
  const flags = parseArgv(process.argv.slice(2), { boolean: ['allow-remote', 'help'], string: ['bind'] });
  if (flags.help) {
    console.log('usage: npm run dev -- [--bind HOST:PORT (default 127.0.0.1:8000)] [--allow-remote]');
    return;
  }
  let bind: { host: string; port: number };
  try {
    bind = parseBind(String(flags.bind ?? process.env.DEV_BIND ?? '127.0.0.1:8000'));
  } catch (error) {
    say((error as Error).message);
    process.exit(2);
  }
  if (!isLoopback(bind.host) && !flags['allow-remote']) {
    say(`refusing to listen on ${bind.host}: the development server is not meant to be reachable from other machines.`);
    say('Use --allow-remote if you really want that, or `npm start` for the real stack.');
    process.exit(2);
  }
  say('DEVELOPMENT SERVER — not for production: one process, no nginx, no worker pool. Use `npm start` for the real stack.');

  let child: ChildProcess | undefined;
  let stopping = false;
  const start = () => {
    child = spawn(process.execPath, [join(ROOT, 'scripts/lib/dev-server.ts'), bind.host, String(bind.port)], { cwd: ROOT, stdio: 'inherit' });
    child.once('exit', (code, signal) => {
      if (stopping) process.exit(0);
      if (signal !== 'SIGTERM') say(`server exited (${signal ?? code}); waiting for a change under app/ to restart`);
    });
  };
  let timer: NodeJS.Timeout | undefined;
  const restart = (file: string) => {
    clearTimeout(timer);
    // Editors write several events per save; restart once they settle.
    timer = setTimeout(() => {
      say(`${file} changed: restarting`);
      const old = child;
      if (old && old.exitCode === null && old.signalCode === null) {
        old.once('exit', start);
        old.kill('SIGTERM');
      } else start();
    }, 150);
  };
  // The build writes app/dist/ on every start; watching it would restart forever.
  watch(APP_DIR, { recursive: true }, (_event, file) => {
    if (file && !file.startsWith(`dist${sep}`) && file !== 'dist') restart(file);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true;
      if (!child || child.exitCode !== null || child.signalCode !== null) process.exit(0);
      child.kill('SIGTERM');
    });
  }
  start();
}

if (import.meta.main) main();
