/** Trusted-proxy rules, table-driven: who the client is, and which scheme and host it asked for. */
import type { IncomingHttpHeaders } from 'node:http';
import { UNIX_PEERS, compileProxyTrust, resolveForwarded } from '../../../gateway/interface/index.ts';

interface Row {
  name: string;
  allow: string[];
  peer: string;
  headers: IncomingHttpHeaders;
  expect: { trusted: boolean; address: string; port: number; scheme: string; host: string };
}

const ROWS: Row[] = [
  {
    name: 'no proxy headers: the peer itself',
    allow: ['127.0.0.1'],
    peer: '10.0.0.5',
    headers: { host: 'app.local' },
    expect: { trusted: false, address: '10.0.0.5', port: 5555, scheme: 'http', host: 'app.local' },
  },
  {
    name: 'untrusted peer: forwarded headers are ignored',
    allow: ['127.0.0.1', '::1'],
    peer: '10.0.0.5',
    headers: { host: 'app.local', 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
    expect: { trusted: false, address: '10.0.0.5', port: 5555, scheme: 'http', host: 'app.local' },
  },
  {
    name: 'trusted loopback peer (nginx): client, proto and host from its headers',
    allow: ['127.0.0.1', '::1'],
    peer: '127.0.0.1',
    headers: { host: 'upstream', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' },
    expect: { trusted: true, address: '203.0.113.7', port: 0, scheme: 'https', host: 'shop.example' },
  },
  {
    name: 'IPv4-mapped IPv6 peer matches an IPv4 entry',
    allow: ['127.0.0.1'],
    peer: '::ffff:127.0.0.1',
    headers: { 'x-forwarded-for': '203.0.113.7' },
    expect: { trusted: true, address: '203.0.113.7', port: 0, scheme: 'http', host: '' },
  },
  {
    name: 'CIDR entry: a peer inside the subnet is trusted',
    allow: ['10.0.0.0/8'],
    peer: '10.20.30.40',
    headers: { 'x-forwarded-for': '198.51.100.1', 'x-forwarded-proto': 'https' },
    expect: { trusted: true, address: '198.51.100.1', port: 0, scheme: 'https', host: '' },
  },
  {
    name: 'CIDR entry: a peer outside the subnet is not',
    allow: ['10.0.0.0/8'],
    peer: '11.0.0.1',
    headers: { 'x-forwarded-for': '198.51.100.1' },
    expect: { trusted: false, address: '11.0.0.1', port: 5555, scheme: 'http', host: '' },
  },
  {
    name: 'IPv6 CIDR entry',
    allow: ['fd00::/8'],
    peer: 'fd12::1',
    headers: { 'x-forwarded-for': '2001:db8::9' },
    expect: { trusted: true, address: '2001:db8::9', port: 0, scheme: 'http', host: '' },
  },
  {
    name: 'a forged leftmost X-Forwarded-For entry is skipped: the first untrusted hop from the right wins',
    allow: ['127.0.0.1', '10.0.0.0/8'],
    peer: '127.0.0.1',
    headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.1.1.1' },
    expect: { trusted: true, address: '203.0.113.7', port: 0, scheme: 'http', host: '' },
  },
  {
    name: '"*" trusts every peer and every hop: the leftmost address',
    allow: ['*'],
    peer: '192.0.2.1',
    headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7', 'x-forwarded-proto': 'https' },
    expect: { trusted: true, address: '6.6.6.6', port: 0, scheme: 'https', host: '' },
  },
  {
    name: 'a nonsense X-Forwarded-Proto is ignored',
    allow: ['127.0.0.1'],
    peer: '127.0.0.1',
    headers: { 'x-forwarded-proto': 'gopher' },
    expect: { trusted: true, address: '127.0.0.1', port: 5555, scheme: 'http', host: '' },
  },
  {
    name: 'an X-Forwarded-Host with forbidden characters is ignored',
    allow: ['127.0.0.1'],
    peer: '127.0.0.1',
    headers: { host: 'app.local', 'x-forwarded-host': 'a b/c' },
    expect: { trusted: true, address: '127.0.0.1', port: 5555, scheme: 'http', host: 'app.local' },
  },
  {
    name: 'an empty allow list trusts nobody, loopback included',
    allow: [],
    peer: '127.0.0.1',
    headers: { 'x-forwarded-for': '203.0.113.7' },
    expect: { trusted: false, address: '127.0.0.1', port: 5555, scheme: 'http', host: '' },
  },
];

describe('resolveForwarded', () => {
  test.each(ROWS)('$name', ({ allow, peer, headers, expect: want }) => {
    const got = resolveForwarded(compileProxyTrust(allow), { address: peer, port: 5555, encrypted: false }, headers);
    expect(got).toEqual(want);
  });

  test('a TLS socket gives https without any header', () => {
    const got = resolveForwarded(compileProxyTrust([]), { address: '10.0.0.1', port: 1, encrypted: true }, {});
    expect(got.scheme).toBe('https');
  });
});

describe('compileProxyTrust', () => {
  test.each(['not-an-ip', '10.0.0.0/33', '::1/129', '10.0.0.0/x'])('refuses %p, naming it', (entry) => {
    expect(() => compileProxyTrust([entry])).toThrow(entry);
  });
  test('answers stay right when peers alternate (the last answer is cached per address)', () => {
    const trust = compileProxyTrust(['10.0.0.0/8', '::1']);
    const seq = ['10.1.1.1', '10.1.1.1', '192.0.2.1', '192.0.2.1', '::1', '10.1.1.1', '::ffff:10.2.2.2', '::ffff:192.0.2.1'];
    expect(seq.map((a) => trust.trusts(a))).toEqual([true, true, false, false, true, true, true, false]);
  });
  test('an undefined peer address (a destroyed socket) is never trusted', () => {
    expect(compileProxyTrust(['127.0.0.1']).trusts(undefined)).toBe(false);
  });
  test('with UNIX_PEERS (a worker bound to unix:PATH) a unix-socket peer is trusted, and its X-Forwarded-For believed', () => {
    const trust = compileProxyTrust(['127.0.0.1', UNIX_PEERS]);
    expect(trust.trusts(undefined)).toBe(true);
    expect(trust.trusts('')).toBe(false);
    expect(trust.trusts('192.0.2.1')).toBe(false);
    const forwarded = resolveForwarded(trust, { address: undefined, port: undefined, encrypted: false }, { 'x-forwarded-for': '198.51.100.7' });
    expect(forwarded).toMatchObject({ trusted: true, address: '198.51.100.7' });
  });
});
