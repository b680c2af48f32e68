/**
 * Trusted-proxy rules (gunicorn's `forwarded_allow_ips`): X-Forwarded-For/Proto/Host and
 * X-Request-Id are believed only when the peer that connected to us is in the allow list.
 * The list takes IPv4/IPv6 addresses and CIDRs; `'*'` trusts every peer.
 *
 * The client is found by walking X-Forwarded-For from the right, past every trusted hop, and taking
 * the first untrusted address (a client cannot forge the hops our own proxies appended). Proto and
 * Host are taken from the same hop position when the proxies sent lists (as srvx does).
 */
import { BlockList, isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';

/** A compiled allow list. */
export interface ProxyTrust {
  trusts(address: string | undefined): boolean;
}

const TRUST_ALL: ProxyTrust = { trusts: () => true };

function unmapped(address: string): string {
  // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; the allow list names them as IPv4.
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * An entry of the allow list meaning "peers on a unix socket" (they have no address). A worker bound
 * to `unix:PATH` adds it: only processes the socket file's mode lets in can connect, which is the
 * same guarantee loopback gives, so nginx's X-Forwarded-* headers are believed there too.
 */
export const UNIX_PEERS = 'unix';

/** Compiles `forwardedAllowIps`; throws a plain Error naming the entry it cannot read. */
export function compileProxyTrust(allow: readonly string[]): ProxyTrust {
  if (allow.includes('*')) return TRUST_ALL;
  const unixPeers = allow.includes(UNIX_PEERS);
  const list = new BlockList();
  for (const raw of allow) {
    if (raw === UNIX_PEERS) continue;
    const entry = raw.trim();
    const [address = '', bits] = entry.split('/');
    const family = isIP(unmapped(address));
    if (family === 0) throw new Error(`forwardedAllowIps: "${raw}" is not an IP address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(unmapped(address), type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new Error(`forwardedAllowIps: "${raw}" has a bad prefix length`);
      }
      list.addSubnet(unmapped(address), prefix, type);
    }
  }
  // Behind nginx nearly every request comes from the same peer: remember the last answer.
  let lastAddress: string | undefined;
  let lastAnswer = false;
  return {
    trusts(address) {
      if (address === undefined) return unixPeers;
      if (!address) return false;
      if (address === lastAddress) return lastAnswer;
      const plain = unmapped(address);
      const family = isIP(plain);
      lastAnswer = family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
      lastAddress = address;
      return lastAnswer;
    },
  };
}

/** Who and what the request is for, after the rules. */
export interface Forwarded {
  /** The peer is a trusted proxy (its X-Request-Id is believed too). */
  trusted: boolean;
  address: string;
  port: number;
  scheme: 'http' | 'https';
  host: string;
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  // One proxy in front (nginx adding one address) is the common case: no split, no arrays of arrays.
  if (typeof value === 'string' && !value.includes(',')) {
    const one = value.trim();
    return one === '' ? [] : [one];
  }
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The connected peer, as resolveForwarded takes it. */
export interface Peer {
  address: string | undefined;
  port: number | undefined;
  encrypted: boolean;
}

const kPeer: unique symbol = Symbol('gateway.peer');

/** The socket's peer, read once per connection (Node's getters call getpeername and validate). */
export function peerOf(socket: Socket): Peer {
  const tagged = socket as Socket & { [kPeer]?: Peer };
  return (tagged[kPeer] ??= {
    address: socket.remoteAddress,
    port: socket.remotePort,
    encrypted: (socket as TLSSocket).encrypted === true,
  });
}

/** The hop-th value from the right of a forwarded list (1 = the value our peer added). */
function hopValue(value: string | string[] | undefined, hops: number): string | undefined {
  const values = list(value);
  return values.length === 0 ? undefined : values[Math.max(0, values.length - hops)];
}

/** Applies the rules to one request. Cheap when nothing was forwarded: no arrays, no parsing. */
export function resolveForwarded(
  trust: ProxyTrust,
  peer: Peer,
  headers: IncomingHttpHeaders,
): Forwarded {
  const own: Forwarded = {
    trusted: false,
    address: peer.address ?? '',
    port: peer.port ?? 0,
    scheme: peer.encrypted ? 'https' : 'http',
    host: headers.host ?? '',
  };
  const xff = headers['x-forwarded-for'];
  const xfp = headers['x-forwarded-proto'];
  const xfh = headers['x-forwarded-host'];
  if (!trust.trusts(peer.address)) return own;
  own.trusted = true;
  if (xff === undefined && xfp === undefined && xfh === undefined) return own;
  const chain = list(xff);
  let hops = 1;
  while (hops <= chain.length && trust.trusts(chain[chain.length - hops])) hops++;
  if (chain.length > 0) {
    own.address = chain[Math.max(0, chain.length - hops)] ?? own.address;
    own.port = 0;
  }
  const proto = hopValue(xfp, hops)?.toLowerCase();
  if (proto === 'http' || proto === 'https') own.scheme = proto;
  const host = hopValue(xfh, hops);
  if (host && /^[A-Za-z0-9.\-_:[\]]+$/.test(host)) own.host = host;
  return own;
}
