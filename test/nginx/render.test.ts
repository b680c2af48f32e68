import { describe, expect, it } from '@jest/globals';
import { CACHE_CONTROL, formatAddress, renderNginxConf } from '../../nginx/render.ts';
import { nginxSpec } from '../../nginx/spec.ts';
import { INVALID_CASES, RENDER_CASES } from './fixtures/render-cases.ts';

describe('renderNginxConf', () => {
  it.each(RENDER_CASES)('$name', ({ input, contains, lacks = [] }) => {
    const conf = renderNginxConf(nginxSpec(input));
    for (const line of contains) expect(conf).toContain(line);
    for (const text of lacks) expect(conf).not.toContain(text);
  });

  it('repeats the security headers in every location that sets its own headers', () => {
    const conf = renderNginxConf(nginxSpec(RENDER_CASES[0]!.input));
    // add_header in a location replaces the inherited ones: server + health + static + fingerprinted.
    expect(conf.match(/add_header X-Content-Type-Options "nosniff" always;/g)).toHaveLength(4);
    expect(conf).toContain(`add_header Cache-Control "${CACHE_CONTROL.plain}";`);
  });

  it('is pure: the same spec renders the same text', () => {
    const spec = nginxSpec(RENDER_CASES[1]!.input);
    expect(renderNginxConf(spec)).toBe(renderNginxConf(structuredClone(spec)));
  });

  it('brackets IPv6 literals', () => {
    expect(formatAddress({ host: '::1', port: 80 })).toBe('[::1]:80');
    expect(formatAddress({ host: 'localhost', port: 80 })).toBe('localhost:80');
  });
});

describe('a gateway on a unix socket', () => {
  const base = { listen: { host: '127.0.0.1', port: 8080 }, staticRoot: '/srv/static', paths: { runDir: '/run/nginx' } };
  it('is an upstream server unix:PATH with the same keep-alive', () => {
    const conf = renderNginxConf(nginxSpec({ ...base, upstream: { servers: [{ socket: '/run/gateway/gw.sock' }] } }));
    expect(conf).toMatch(/server unix:\/run\/gateway\/gw\.sock max_fails=/);
    expect(conf).toContain('keepalive 32;');
    expect(formatAddress({ socket: '/a.sock' })).toBe('unix:/a.sock');
  });
  it('is refused with per-request resolving (no name to resolve) and for a relative path', () => {
    expect(() => nginxSpec({ ...base, upstream: { servers: [{ socket: '/a.sock' }], resolve: { resolver: '10.96.0.10' } } })).toThrow(/unix-socket server needs resolve: startup/);
    expect(() => nginxSpec({ ...base, upstream: { servers: [{ socket: 'a.sock' }] } })).toThrow(/absolute path/);
  });
});

describe('nginxSpec', () => {
  it.each(INVALID_CASES)('refuses $name, naming the field', ({ input, names }) => {
    expect(() => nginxSpec(input)).toThrow(names);
  });
});
