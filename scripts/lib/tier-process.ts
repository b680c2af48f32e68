/**
 * One tier of the local stack (the gateway master, nginx) as a child process: started in its own
 * process group, so the stack decides the shutdown order and a forced stop reaches the tier's
 * workers too; its output printed line by line with a label (`[nginx] …`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const PINO_LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A pino JSON line as `INFO message key=value…`; anything else unchanged. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { level, msg, time: _time, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const extras = Object.entries(rest).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    return [PINO_LEVELS[level as number] ?? String(level ?? ''), msg ?? '', ...extras].filter(Boolean).join(' ');
  } catch {
    return line;
  }
}

/** Print each line of `stream` as `[label] line` on `out`. */
export function labelLines(stream: NodeJS.ReadableStream, label: string, out: NodeJS.WritableStream = process.stdout): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`[${label}] ${formatLogLine(line)}\n`));
}

/** A started tier. */
export interface TierProcess {
  label: string;
  child: ChildProcess;
  /** Resolves with the exit code (or 128+signal) once the tier's main process has exited. */
  exited: Promise<number>;
  /** Signal the tier's main process (a graceful stop, a reload). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL the tier's whole process group: main process and every worker. */
  killGroup(): void;
}

/** Start `command` as a tier in its own process group, its output labelled. */
export function startTier(label: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): TierProcess {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  labelLines(child.stdout!, label);
  labelLines(child.stderr!, label, process.stderr);
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`[${label}] cannot start ${command}: ${error.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? osSignalNumber(signal) : 0)));
  });
  const pid = child.pid;
  return {
    label,
    child,
    exited,
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    killGroup: () => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    },
  };
}

/** The watchdog of a stack's tiers (see tier-watchdog.ts): stops them if this process dies. */
export interface Watchdog {
  /** Stop `tier` with `graceful`, then kill its group, should this process die first. */
  watch(tier: TierProcess, graceful: NodeJS.Signals): void;
  /** The stack is stopping on its own: end the watchdog without it touching anything. */
  close(): Promise<void>;
}

/** Start the watchdog; `graceMs` is how long the tiers get after their graceful signal. */
export function startWatchdog(graceMs: number): Watchdog {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'tier-watchdog.ts'), String(graceMs)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  // It must not keep this process alive, nor be waited for.
  child.unref();
  const input = child.stdin as Socket;
  input.unref();
  input.on('error', () => {});
  const send = (line: string) => {
    if (!input.destroyed) input.write(`${line}\n`);
  };
  return {
    watch: (tier, graceful) => {
      if (tier.child.pid === undefined) return;
      send(`watch ${tier.child.pid} ${graceful}`);
      void tier.exited.then(() => send(`forget ${tier.child.pid}`));
    },
    close: async () => {
      // Reaped here, so no zombie outlives the stack.
      const exited = new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
      child.ref(); // the wait must keep this process alive until the watchdog is reaped
      child.kill('SIGKILL');
      input.destroy();
      await exited;
    },
  };
}

function osSignalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  const result = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}
