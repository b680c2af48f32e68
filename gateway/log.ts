/**
 * Structured JSON logs with pino: one line per event, on stdout or in a file that USR1 reopens
 * (for logrotate, as gunicorn and PHP-FPM do).
 */
import pino, { type Logger } from 'pino';
import { createAccessLog } from './access-log.ts';
import type { AccessLine } from './interface/types.ts';

export interface LogHandle {
  log: Logger;
  /** The access-log writer on the same destination; undefined when the level hides info lines. */
  access: AccessLine | undefined;
  /** Reopen the log file after rotation; a no-op on stdout. */
  reopen(): void;
  /** Write out what is buffered; call before process.exit. */
  flush(): void;
}

export function createLog(options: { level: string; file: string; base: Record<string, unknown> }): LogHandle {
  // Asynchronous writes keep a write(2) per access-log line off the request path; flush() on exit
  // makes sure nothing buffered is lost.
  const destination = pino.destination({ dest: options.file || 1, sync: false, mkdir: Boolean(options.file) });
  const log = pino(
    { level: options.level, base: options.base, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    destination,
  );
  const access = log.isLevelEnabled('info') ? createAccessLog(destination, options.base) : undefined;
  return {
    log,
    access: access?.line,
    reopen: () => {
      if (options.file) destination.reopen();
    },
    flush: () => {
      access?.flush();
      try {
        destination.flushSync();
      } catch {
        // Not ready yet (nothing was written): nothing to flush.
      }
    },
  };
}
