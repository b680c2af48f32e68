/**
 * The access log: one JSON line per finished request, in the same shape and on the same
 * destination as the pino lines around it, but built as one template string. pino's general path
 * (the caller's object spread, a walk over every key, the level formatter, a Date per line) cost
 * ~4× this per line (`npm run bench:access-log`, docs/benchmarks.md), and on a hello world the
 * log line was the most expensive thing a worker did per request.
 */
import type { AccessLine, FinishedRequest } from './interface/types.ts';

/** Where lines go: pino's sonic-boom destination, or any stream with write(string). */
export interface LineSink {
  write(line: string): unknown;
}

/**
 * The ISO timestamp pino writes, computed once per millisecond: at thousands of requests a second
 * most lines share their millisecond with the one before.
 */
function isoClock(): () => string {
  let at = 0;
  let text = '';
  return () => {
    const now = Date.now();
    if (now !== at) {
      at = now;
      text = new Date(now).toISOString();
    }
    return text;
  };
}

/** Only these ever need escaping in a path: quotes, backslashes and control characters. */
const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\uffff]/;
const quoted = (text: string): string => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`);

/** The access log of one process: `line` for the request listener, `flush` before exit. */
export interface AccessLog {
  line: AccessLine;
  /** Hands what is batched to the sink now. */
  flush(): void;
}

/** A batch is handed over at this size even within one turn of the event loop. */
const BATCH_CHARS = 16 * 1024;

/**
 * A writer of access lines for one process. `base` holds the bindings every line of this process
 * carries (pino's `base`, e.g. `{ worker: 2 }`), written once into a prefix.
 *
 * Lines are batched and handed to the sink once per turn of the event loop: sonic-boom measures
 * the byte length of its whole pending buffer (up to 16 KiB) on every write, which cost ~3 µs a
 * line when each line was a write of its own.
 */
export function createAccessLog(sink: LineSink, base: Record<string, unknown>): AccessLog {
  const bindings = JSON.stringify(base).slice(1, -1);
  const prefix = `"${bindings ? `,${bindings}` : ''}`;
  const now = isoClock();
  let pending = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const batch = pending;
    pending = '';
    sink.write(batch);
  };
  const line: AccessLine = (info: FinishedRequest, requestId: string, client: string, workerId: number, traceId?: string) => {
    // A trace id is 32 hex digits (trace-context.ts checked it): nothing to escape.
    pending +=
      `{"level":"info","time":"${now()}${prefix},"method":${quoted(info.method)},"path":${quoted(info.path)},` +
      `"status":${info.status},"durationMs":${info.durationMs},"workerId":${workerId},"requestId":${quoted(requestId)},` +
      `${traceId ? `"traceId":"${traceId}",` : ''}"client":${quoted(client)},"msg":"request"}\n`;
    if (pending.length >= BATCH_CHARS) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return { line, flush };
}
