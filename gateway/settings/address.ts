/** `unix:/run/gateway.sock` → '/run/gateway.sock'; undefined for a HOST:PORT address. */
export function unixSocketPath(address: string): string | undefined {
  return address.startsWith('unix:') ? address.slice('unix:'.length) : undefined;
}

/** `127.0.0.1:8000` → ['127.0.0.1', 8000]; `[::1]:8000` → ['::1', 8000]. Validated by the registry first. */
export function splitHostPort(address: string): [host: string, port: number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1))];
}
