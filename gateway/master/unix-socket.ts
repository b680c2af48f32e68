/**
 * A unix-socket bind (gunicorn's `bind unix:PATH`), which nginx on the same machine reaches without
 * TCP. Before any worker listens, the master removes a socket file a dead gateway left behind (a
 * restart would otherwise fail with EADDRINUSE), and refuses a path that is not a socket or that a
 * live server answers on; it removes its own socket file when it stops.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { GatewayError } from '../errors.ts';
import { unixSocketPath } from '../settings/address.ts';
import type { Settings } from '../settings/registry.ts';

/** Whether a server accepts connections on the socket at `path` (a refused or absent one: no). */
function answers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Makes the bind's socket path ready for the workers to listen on.
 * @throws GatewayError CONFIG_INVALID (reuse-port with a unix socket), BIND_FAILED (the folder is
 *   missing, the path is not a socket, or a live server answers on it)
 */
export async function prepareUnixSocket(settings: Pick<Settings, 'bind' | 'listenStrategy'>): Promise<void> {
  const path = unixSocketPath(settings.bind);
  if (path === undefined) return;
  if (settings.listenStrategy === 'reuse-port') {
    throw new GatewayError('CONFIG_INVALID', `listenStrategy reuse-port needs a HOST:PORT bind; ${settings.bind} is a unix socket`);
  }
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new GatewayError('BIND_FAILED', `${settings.bind}: ${(error as Error).message}`);
    try {
      lstatSync(dirname(path));
    } catch {
      throw new GatewayError('BIND_FAILED', `${settings.bind}: the folder ${dirname(path)} does not exist`);
    }
    return;
  }
  if (!stat.isSocket()) throw new GatewayError('BIND_FAILED', `${settings.bind}: ${path} exists and is not a socket; remove it or bind elsewhere`);
  if (await answers(path)) throw new GatewayError('BIND_FAILED', `${settings.bind}: another server is listening on this socket`);
  // A socket file nobody answers on is what a gateway that was killed leaves behind.
  unlinkSync(path);
}

/** Removes the bind's socket file, if it is one (on the master's way out). */
export function removeUnixSocket(settings: Pick<Settings, 'bind'>): void {
  const path = unixSocketPath(settings.bind);
  if (path === undefined) return;
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Already gone.
  }
}
