/**
 * Adoption, Phusion Passenger's "reverse port binding": an app module that starts its own server
 * (`app.listen(3000)`, `node server.js` of a framework's build) runs unmodified. While a worker
 * loads app modules, `listen()` on a server their code created binds nothing: the server is
 * adopted, its 'request' listeners are called through the gateway's request path, and the app's
 * listen callback and 'listening' event fire once the worker's own server listens.
 *
 * What is adopted, per app module: the first `http.Server` it calls `listen()` on, whatever
 * arguments it passes (port, options, path, none), during its import or later (after an await).
 * What is refused (APP_LISTEN_REFUSED): a second server of the same module, an https/TLS server
 * (TLS ends at the static tier), and any other `net.Server` (raw TCP, http2), because the gateway
 * has no port to give them. Listens are attributed to a module through AsyncLocalStorage, so code
 * the module runs later (timers, promise chains, event handlers) still counts as its own; a listen
 * from outside any module's async context (the worker's own server, a test) binds as usual.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Server as HttpServer } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { GatewayError } from '../errors.ts';

type Listen = (this: NetServer, ...args: unknown[]) => NetServer;

interface Owner {
  server?: HttpServer;
  /** Its default export was taken as the app: a listen now has nothing to serve. */
  sealed?: boolean;
  refused?: GatewayError;
  waiters: Array<{ resolve(server: HttpServer): void; reject(error: GatewayError): void }>;
}

/** Where the worker's own server listens: what adopted servers report from `address()`. */
export type AdoptedAddress = AddressInfo | string | null;

export interface ListenCapture {
  /** Runs `load` (an import) so that servers its code listens on, now or later, belong to `owner`. */
  run<T>(owner: string, load: () => Promise<T>): Promise<T>;
  /** The server `owner` has adopted so far; throws the refusal if one of its listens was refused. */
  adoptedNow(owner: string): HttpServer | undefined;
  /**
   * The server `owner` listens on, waiting for it at most `timeoutMs`, or until `until` settles.
   * @returns undefined when the wait ends first; rejects with APP_LISTEN_REFUSED when its listen was refused.
   */
  adopted(owner: string, wait: { timeoutMs?: number; until?: Promise<unknown> }): Promise<HttpServer | undefined>;
  /** `owner`'s default export is its app: servers it listens on from now are refused. */
  seal(owner: string): void;
  /** A server of the gateway's own: its `listen()` binds as usual. */
  exempt(server: NetServer): void;
  /** The worker's server listens: adopted servers report its address and emit 'listening'. */
  announce(address: AdoptedAddress): void;
  /** Puts `net.Server.prototype.listen` back. */
  restore(): void;
}

/** Why a server that is not an http.Server cannot be adopted, naming what it asked for. */
function refusalOf(server: NetServer, args: unknown[]): string {
  if (server instanceof TlsServer) {
    return `it listened on an https (TLS) server (${requested(args)}): TLS ends at the static tier, create it with http.createServer`;
  }
  const name = server.constructor?.name ?? 'Server';
  const what = name === 'Server' ? 'a raw net.Server' : `a ${name}`;
  return `it listened on ${what} (${requested(args)}), not an http.Server: the gateway serves HTTP/1.1 only`;
}

/**
 * Installs the capture on `net.Server.prototype.listen` (every http, https and net server
 * inherits it). `onLateRefusal` hears of refusals no boot is waiting for (logged by the worker).
 */
export function captureListen(options: { onLateRefusal?: (error: GatewayError) => void } = {}): ListenCapture {
  const storage = new AsyncLocalStorage<string>();
  const owners = new Map<string, Owner>();
  const exempt = new WeakSet<NetServer>();
  const announced: HttpServer[] = [];
  let address: AdoptedAddress | undefined;
  const original = NetServer.prototype.listen as Listen;

  function refuse(name: string, owner: Owner, why: string): void {
    const error = new GatewayError('APP_LISTEN_REFUSED', `${name}: ${why}`);
    owner.refused ??= error;
    const waiters = owner.waiters.splice(0);
    for (const w of waiters) w.reject(error);
    if (waiters.length === 0) options.onLateRefusal?.(error);
  }

  function adopt(owner: Owner, server: HttpServer, args: unknown[]): void {
    owner.server = server;
    const callback = args.findLast((a) => typeof a === 'function') as (() => void) | undefined;
    if (callback) server.once('listening', callback);
    let closed = false;
    Object.defineProperties(server, {
      listening: { configurable: true, get: () => address !== undefined && !closed },
      address: { configurable: true, value: () => (closed ? null : (address ?? null)) },
      // The app stopping its server (a framework's own shutdown) ends nothing the gateway owns.
      close: {
        configurable: true,
        value(cb?: (error?: Error) => void) {
          if (!closed) {
            closed = true;
            process.nextTick(() => server.emit('close'));
          }
          if (cb) process.nextTick(cb);
          return server;
        },
      },
    });
    for (const w of owner.waiters.splice(0)) w.resolve(server);
    if (address !== undefined) announceTo(server);
  }

  function announceTo(server: HttpServer): void {
    announced.push(server);
    process.nextTick(() => server.emit('listening'));
  }

  NetServer.prototype.listen = function listen(this: NetServer, ...args: unknown[]): NetServer {
    if (exempt.has(this)) return original.apply(this, args);
    const name = storage.getStore();
    const owner = name === undefined ? undefined : owners.get(name);
    if (name === undefined || !owner) return original.apply(this, args);
    if (owner.server === this) return this;
    if (!(this instanceof HttpServer)) refuse(name, owner, refusalOf(this, args));
    else if (owner.sealed) refuse(name, owner, `it listened (${requested(args)}) after its default export was taken as the app`);
    else if (owner.server) refuse(name, owner, `it listened on a second http.Server (${requested(args)}); the gateway adopts the first one only`);
    else adopt(owner, this, args);
    return this;
  } as typeof NetServer.prototype.listen;

  return {
    run(name, load) {
      owners.set(name, owners.get(name) ?? { waiters: [] });
      return storage.run(name, load);
    },
    adoptedNow(name) {
      const owner = owners.get(name);
      if (owner?.refused) throw owner.refused;
      return owner?.server;
    },
    async adopted(name, { timeoutMs, until }) {
      const owner = owners.get(name);
      if (!owner) return undefined;
      if (owner.refused) throw owner.refused;
      if (owner.server) return owner.server;
      return new Promise<HttpServer | undefined>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const settle = (then: () => void) => {
          clearTimeout(timer);
          const at = owner.waiters.indexOf(waiter);
          if (at !== -1) owner.waiters.splice(at, 1);
          then();
        };
        const waiter = { resolve: (server: HttpServer) => settle(() => resolve(server)), reject: (error: GatewayError) => settle(() => reject(error)) };
        owner.waiters.push(waiter);
        if (timeoutMs !== undefined) timer = setTimeout(() => settle(() => resolve(undefined)), Math.max(0, timeoutMs));
        void until?.then(
          () => settle(() => resolve(undefined)),
          () => settle(() => resolve(undefined)),
        );
      });
    },
    seal(name) {
      const owner = owners.get(name);
      if (owner) owner.sealed = true;
    },
    exempt(server) {
      exempt.add(server);
    },
    announce(at) {
      address = at;
      for (const owner of owners.values()) if (owner.server && !announced.includes(owner.server)) announceTo(owner.server);
    },
    restore() {
      NetServer.prototype.listen = original as typeof NetServer.prototype.listen;
    },
  };
}

/** What a refused listen asked for, for the message: `port 9100`, `/tmp/app.sock`, `no port`. */
function requested(args: unknown[]): string {
  const [first] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return `port ${String(first)}`;
  if (typeof first === 'string') return first;
  if (typeof first === 'object' && first !== null) {
    const { port, path } = first as { port?: unknown; path?: unknown };
    if (path !== undefined) return String(path);
    if (port !== undefined) return `port ${String(port)}`;
  }
  return 'no port';
}
