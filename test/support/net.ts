/**
 * Loopback ports for tests: the OS picks them (other suites and other people's processes may run
 * at the same time, so no test assumes a fixed port is free).
 */
import { createServer, type AddressInfo, type Server } from 'node:net';

/** `count` distinct ports the OS just handed out, released again for the code under test to bind. */
export async function freePorts(count: number): Promise<number[]> {
  // All held open at once, so the OS cannot hand out the same port twice.
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** Whether something on this machine already listens on `port` (an app's own port must stay unbound). */
export function isBound(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, () => probe.close(() => resolve(false)));
  });
}
