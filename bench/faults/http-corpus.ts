/**
 * The raw-request corpus (test/http-corpus/{valid,invalid}/NNN-<rfc-section>-<name>.http, each
 * with a .json expectation beside it), as gunicorn organises tests/requests: loading the cases and
 * sending each as bytes on a fresh connection. The format is test/http-corpus/README.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';

/** What came back: the statuses in order (interim 1xx included), or how it ended without one. */
export type Outcome = number | number[] | 'closed' | 'timeout';

/** The servers a case is run against. */
export type CorpusTarget = 'gateway' | 'nginx' | 'gunicorn';

export interface CorpusCase {
  /** `valid/001-9112-3.2.1-origin-form`. */
  id: string;
  /** The bytes to send. */
  raw: Buffer;
  /** The RFC section the case exercises, e.g. `RFC 9112 §3.2.2`. */
  rfc: string;
  why: string;
  /** Expected answer per target: the gateway's is the contract, the others are recorded behaviour. */
  expect: Record<CorpusTarget, Outcome>;
  /** Substrings the gateway's direct answer must contain (what the app saw). */
  sees?: string[];
  /** Substrings no answer from the gateway, direct or through nginx, may contain. */
  never?: string[];
  /** The gateway's direct answer before issue 18, where it differs. */
  before?: Outcome;
}

export const CORPUS_DIR = resolve(import.meta.dirname, '../../test/http-corpus');

/**
 * The .http notation: real line breaks are ignored (so a file reads like the request), `\r`, `\n`,
 * `\t`, `\0`, `\\` and `\xHH` are the bytes, and `{{N*text}}` repeats `text` N times.
 */
export function decodeRequest(source: string): Buffer {
  const flat = source.replace(/\r?\n/g, '').replace(/\{\{(\d+)\*(.*?)\}\}/g, (_m, n: string, text: string) => text.repeat(Number(n)));
  const bytes = flat.replace(/\\(x[0-9A-Fa-f]{2}|[rnt0\\])/g, (_m, e: string) =>
    e.startsWith('x') ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ r: '\r', n: '\n', t: '\t', '0': '\0', '\\': '\\' } as Record<string, string>)[e]!,
  );
  return Buffer.from(bytes, 'latin1');
}

/** Every case, valid/ first, in file-name order. */
export function loadCorpus(dir = CORPUS_DIR): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const group of ['valid', 'invalid']) {
    for (const file of readdirSync(resolve(dir, group)).filter((f) => f.endsWith('.http')).sort()) {
      const base = resolve(dir, group, file.slice(0, -'.http'.length));
      const spec = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Omit<CorpusCase, 'id' | 'raw' | 'expect'> & Record<CorpusTarget, Outcome>;
      const { gateway, nginx, gunicorn, ...rest } = spec;
      cases.push({ ...rest, id: `${group}/${file.slice(0, -5)}`, raw: decodeRequest(readFileSync(`${base}.http`, 'latin1')), expect: { gateway, nginx, gunicorn } });
    }
  }
  return cases;
}

/**
 * Splits complete responses off the front of `text` into `statuses`; returns what is left. Bodies
 * are framed by Content-Length, chunked, or the close; `bodiless` is for answers to HEAD.
 */
function splitResponses(text: string, statuses: number[], bodiless: boolean): string {
  for (;;) {
    const headEnd = text.indexOf('\r\n\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
    if (headEnd === -1 || !match) return text;
    const status = Number(match[1]);
    const head = text.slice(0, headEnd).toLowerCase();
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    let end = headEnd + 4;
    const hasBody = !bodiless && status >= 200 && status !== 204 && status !== 304;
    if (hasBody && length) end += Number(length[1]);
    else if (hasBody && /\r\ntransfer-encoding: *chunked/.test(head)) {
      // The bodies here are short text: the last-chunk marker does not occur inside them.
      const last = text.indexOf('0\r\n\r\n', headEnd + 4);
      if (last === -1) return text;
      end = last + 5;
    } else if (hasBody) return text; // the body runs until the close
    if (text.length < end) return text;
    statuses.push(status);
    text = text.slice(end);
  }
}

export interface CorpusAnswer {
  outcome: Outcome;
  /** Everything received, as latin1 (capped), for `sees`/`never` and failure messages. */
  text: string;
}

/**
 * Sends `raw` on a new connection and reads responses until the server closes, or `want` of
 * them came and nothing more arrived for 150 ms (so an extra, smuggled response still shows), or
 * `timeoutMs` passes.
 */
export function sendCase(port: number, raw: Buffer, want: number, timeoutMs = 3000): Promise<CorpusAnswer> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const bodiless = raw.subarray(0, 5).toString('latin1') === 'HEAD ';
    const statuses: number[] = [];
    let all = '';
    let pending = '';
    let quiet: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (how: 'closed' | 'timeout'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.destroy();
      // A response whose body runs until close is complete now.
      if (how === 'closed' && pending) {
        const match = /^HTTP\/1\.[01] (\d{3})/.exec(pending);
        if (match && pending.includes('\r\n\r\n')) statuses.push(Number(match[1]));
      }
      const outcome: Outcome = statuses.length === 0 ? how : statuses.length === 1 ? statuses[0]! : statuses;
      done({ outcome, text: all.slice(0, 4000) });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      all += chunk.toString('latin1');
      pending = splitResponses(pending + chunk.toString('latin1'), statuses, bodiless);
      clearTimeout(quiet);
      if (statuses.length >= want) quiet = setTimeout(() => finish('timeout'), 150);
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('connect', () => socket.write(raw));
  });
}

/** How many responses an expectation waits for ('closed' waits for the close). */
export function wanted(expected: Outcome): number {
  return Array.isArray(expected) ? expected.length : typeof expected === 'number' ? 1 : Number.POSITIVE_INFINITY;
}

/** Same answer? (A 'timeout' after the wanted responses is just a kept-alive connection.) */
export function sameOutcome(got: Outcome, expected: Outcome): boolean {
  return JSON.stringify(got) === JSON.stringify(expected);
}

/** For tables: `400`, `100 → 200`, `closed`. */
export function showOutcome(outcome: Outcome): string {
  return Array.isArray(outcome) ? outcome.join(' → ') : String(outcome);
}

/** Runs every case against one port; `target` picks which expectation sets how long to wait. */
export async function runCorpus(port: number, target: CorpusTarget, cases = loadCorpus()): Promise<Map<string, CorpusAnswer>> {
  const answers = new Map<string, CorpusAnswer>();
  for (const c of cases) answers.set(c.id, await sendCase(port, c.raw, wanted(c.expect[target])));
  return answers;
}
