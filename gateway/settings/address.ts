/** `127.0.0.1:8000` → ['127.0.0.1', 8000]; `[::1]:8000` → ['::1', 8000]. Validated by the registry first. */
export function splitHostPort(address: string): [host: string, port: number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1))];
}
