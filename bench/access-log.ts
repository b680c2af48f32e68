/**
 * What one access-log line costs, split into its parts, in one process with alternating rounds:
 * the object spread, pino's serialisation (level formatter, ISO timestamp, bindings), and the write
 * path (sonic-boom into /dev/null), against the line the gateway writes now (gateway/access-log.ts).
 *
 *   npm run bench:access-log -- [--lines 200000] [--rounds 7]
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { argv } from 'zx';
import { createAccessLog } from '../gateway/access-log.ts';
import type { FinishedRequest } from '../gateway/interface/types.ts';
import { median } from './lib/stats.ts';

const lines = Number(argv.lines ?? 200_000);
const rounds = Number(argv.rounds ?? 7);

const info: FinishedRequest = { method: 'GET', path: '/users/42', status: 200, durationMs: 0.412 };
const context = { workerId: 1, requestId: 'q1w2e3r4t5y6-1a', client: '127.0.0.1' };
const gatewayOptions = { timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label: string) => ({ level: label }) } };

/** A sink that drops every chunk: pino's serialisation alone. */
const discard = (): Writable => new Writable({ write: (_chunk, _enc, done) => done() });
/** sonic-boom into /dev/null, asynchronous, as the gateway writes to stdout or a file. */
const devNull = () => pino.destination({ dest: '/dev/null', sync: false });

type Variant = { name: string; what: string; line: () => void };

function pinoVariant(name: string, what: string, dest: pino.DestinationStream | Writable, spread: boolean, options = gatewayOptions): Variant {
  const log = pino({ level: 'info', base: { worker: 1 }, ...options }, dest);
  return {
    name,
    what,
    line: spread
      ? () => log.info({ ...info, ...context }, 'request')
      : () => log.info({ method: info.method, path: info.path, status: info.status, durationMs: info.durationMs, ...context }, 'request'),
  };
}

const variants: Variant[] = [];
variants.push(
  { name: 'nothing', what: 'the loop alone', line: () => {} },
  pinoVariant('pino, spread, /dev/null', 'what the gateway did before: `log.info({ ...info, workerId, requestId, client })`, isoTime, level label, async sonic-boom', devNull(), true),
  pinoVariant('pino, no spread, /dev/null', 'the same line built as one object literal', devNull(), false),
  pinoVariant('pino, spread, epoch time', 'pino defaults for time and level (numbers), spread', devNull(), true, {} as typeof gatewayOptions),
  pinoVariant('pino, spread, no write', 'serialisation only: a Writable that drops every chunk', discard(), true),
  (() => {
    const write = createAccessLog(devNull(), { worker: 1 }).line;
    const build = createAccessLog({ write: () => true }, { worker: 1 }).line;
    variants.push({ name: 'access-log.ts, no write', what: 'building the line only', line: () => build(info, context.requestId, context.client, context.workerId) });
    return { name: 'access-log.ts, /dev/null', what: 'what the gateway does now: the line built by gateway/access-log.ts, batched per event-loop turn into async sonic-boom', line: () => write(info, context.requestId, context.client, context.workerId) };
  })(),
);

const ns: number[][] = variants.map(() => []);
for (let round = 0; round < rounds; round++) {
  // Rotate the order so no variant always runs first (or right after a garbage collection).
  for (let k = 0; k < variants.length; k++) {
    const i = (k + round) % variants.length;
    const v = variants[i]!;
    const start = process.hrtime.bigint();
    for (let n = 0; n < lines; n++) v.line();
    ns[i]!.push(Number(process.hrtime.bigint() - start) / lines);
    // Let the async destinations drain between runs so one variant's backlog does not bill the next.
    await new Promise((r) => setTimeout(r, 50));
  }
}

console.log(`| variant | ns/line (median of ${rounds} rounds × ${lines} lines) | min–max | what |`);
console.log('|---|---:|---:|---|');
variants.forEach((v, i) => {
  const all = ns[i]!;
  console.log(`| ${v.name} | ${median(all).toFixed(0)} | ${Math.min(...all).toFixed(0)}–${Math.max(...all).toFixed(0)} | ${v.what} |`);
});
process.exit(0);
