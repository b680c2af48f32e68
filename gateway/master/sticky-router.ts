/**
 * The decisions of the sticky listen strategy, without sockets: which worker gets a new connection,
 * read from the first line of its first request. A request on the sticky path (socket.io's
 * `/socket.io/` by default) that names a session (`sid=`) goes to the worker that owns that session;
 * everything else goes to the next ready worker in turn. Owners are learnt from the workers
 * (`remember`), forgotten when a session ends or its worker exits, and bounded in number and age,
 * so the table cannot grow without bound. Pure: unit-tested with fake workers and a fake clock.
 */

/** How long an entry lives without being used. A polling session makes a request at least every
 * pingInterval (engine.io's default 25 s); an upgraded one never needs its entry again. */
export const SESSION_IDLE_MS = 120_000;
/** Most sessions remembered at once; past it the least recently used one is dropped. */
export const MAX_SESSIONS = 100_000;

export type Route<W> =
  /** The session's owner, alive (serving or draining). */
  | { kind: 'owner'; worker: W; sid: string }
  /** The next ready worker; `sid` is set when the request named a session nobody owns (any more). */
  | { kind: 'next'; worker: W; sid?: string }
  /** No worker is ready yet but one is booting: hold the connection. */
  | { kind: 'wait' }
  /** No worker at all. */
  | { kind: 'none' };

type WorkerState = 'booting' | 'ready' | 'draining';

export interface StickyRouterOptions {
  /** Path prefix whose requests are routed by session id, e.g. `/socket.io/`. */
  path: string;
  now?: () => number;
  idleMs?: number;
  maxSessions?: number;
}

/**
 * The session id a request line names, when its path is under `path`: `sid` from the query of
 * `GET /socket.io/?EIO=4&transport=polling&sid=abc HTTP/1.1` (origin or absolute form).
 */
export function sessionIdOf(head: string, path: string): string | undefined {
  const end = head.indexOf('\n');
  const line = end === -1 ? head : head.slice(0, end);
  let target = line.split(' ')[1] ?? '';
  if (!target.startsWith('/')) target = target.replace(/^[a-z]+:\/\/[^/]*/i, '');
  const question = target.indexOf('?');
  if (question === -1 || !target.slice(0, question).startsWith(path)) return undefined;
  for (const pair of target.slice(question + 1).split('&')) {
    if (!pair.startsWith('sid=')) continue;
    try {
      return decodeURIComponent(pair.slice(4)) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export class StickyRouter<W> {
  #o: Required<StickyRouterOptions>;
  #workers = new Map<W, WorkerState>();
  /** In least-recently-used order: a hit moves an entry to the end. */
  #sessions = new Map<string, { worker: W; seen: number }>();
  #turn = 0;

  constructor(options: StickyRouterOptions) {
    this.#o = { now: () => performance.now(), idleMs: SESSION_IDLE_MS, maxSessions: MAX_SESSIONS, ...options };
  }

  /** A worker was forked; it gets connections once `ready`. */
  add(worker: W): void {
    this.#workers.set(worker, 'booting');
  }

  ready(worker: W): void {
    if (this.#workers.get(worker) === 'booting') this.#workers.set(worker, 'ready');
  }

  /** The worker drains: no new sessions, but the ones it owns still reach it until it exits. */
  retire(worker: W): void {
    if (this.#workers.has(worker)) this.#workers.set(worker, 'draining');
  }

  /** The worker exited: it and every session it owned are forgotten. */
  remove(worker: W): void {
    this.#workers.delete(worker);
    for (const [sid, entry] of this.#sessions) if (entry.worker === worker) this.#sessions.delete(sid);
  }

  /** `worker` answered a handshake that opened session `sid`. */
  remember(sid: string, worker: W): void {
    if (!this.#workers.has(worker)) return;
    this.#sessions.delete(sid);
    this.#sessions.set(sid, { worker, seen: this.#o.now() });
    this.#expire();
  }

  /** The session ended (the app told us, through @socket.io/sticky's setupWorker). */
  forget(sid: string): void {
    this.#sessions.delete(sid);
  }

  get sessions(): number {
    return this.#sessions.size;
  }

  /** Where a connection whose first bytes are `head` goes. */
  route(head: string): Route<W> {
    const sid = sessionIdOf(head, this.#o.path);
    if (sid !== undefined) {
      this.#expire();
      const entry = this.#sessions.get(sid);
      if (entry) {
        entry.seen = this.#o.now();
        this.#sessions.delete(sid);
        this.#sessions.set(sid, entry);
        return { kind: 'owner', worker: entry.worker, sid };
      }
    }
    const next = this.#next();
    if (next) return sid === undefined ? { kind: 'next', worker: next } : { kind: 'next', worker: next, sid };
    return [...this.#workers.values()].includes('booting') ? { kind: 'wait' } : { kind: 'none' };
  }

  /** The ready workers in turn; with none ready (all draining, on TERM), a draining one answers. */
  #next(): W | undefined {
    const ready = [...this.#workers].filter(([, state]) => state === 'ready').map(([w]) => w);
    if (ready.length > 0) return ready[this.#turn++ % ready.length];
    if ([...this.#workers.values()].includes('booting')) return undefined;
    return [...this.#workers.keys()][0];
  }

  /** Drops entries idle past `idleMs` (the oldest come first) and any beyond `maxSessions`. */
  #expire(): void {
    const oldest = this.#o.now() - this.#o.idleMs;
    for (const [sid, entry] of this.#sessions) {
      if (entry.seen > oldest && this.#sessions.size <= this.#o.maxSessions) break;
      this.#sessions.delete(sid);
    }
  }
}
