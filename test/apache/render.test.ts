import { describe, expect, it } from '@jest/globals';
import { APACHE_MODULES_DIR, renderApacheConf, sizeInBytes } from '../../apache/render.ts';
import { apacheWorkerUrl } from '../../apache/proxy.ts';
import { nginxSpec, type NginxSpecInput } from '../../nginx/spec.ts';
import { STATIC_SERVERS, renderStaticTierConf } from '../../static-tier/servers.ts';
import { renderNginxConf } from '../../nginx/render.ts';

const base = {
  listen: { host: '127.0.0.1', port: 8080 },
  upstream: { servers: [{ host: '127.0.0.1', port: 8000 }] },
  staticRoot: '/srv/app/static',
  paths: { runDir: '/tmp/apache' },
} satisfies NginxSpecInput;

const render = (input: NginxSpecInput) => renderApacheConf(nginxSpec(input));

describe('renderApacheConf', () => {
  it('is one self-contained file: every module from the modules folder, no Include, no system mime.types', () => {
    const conf = render(base);
    expect(conf).toContain(`LoadModule mpm_event_module "${APACHE_MODULES_DIR.debian}/mod_mpm_event.so"`);
    expect(conf).toContain('LoadModule unique_id_module');
    expect(conf).toContain('TypesConfig /dev/null');
    expect(conf).toContain('AddType application/javascript .js .mjs');
    expect(conf).not.toMatch(/^\s*Include/m);
    expect(conf).not.toContain('/etc/apache2');
    const official = renderApacheConf(nginxSpec(base), { modulesDir: APACHE_MODULES_DIR.official });
    expect(official).toContain('"/usr/local/apache2/modules/mod_proxy_http.so"');
    // Built into Debian's binary, shared in the official image: LogFormat and User need them there.
    expect(official).toContain('<IfModule !log_config_module>\n    LoadModule log_config_module "/usr/local/apache2/modules/mod_log_config.so"\n</IfModule>');
    expect(official).toContain('<IfModule !unixd_module>\n    LoadModule unixd_module "/usr/local/apache2/modules/mod_unixd.so"\n</IfModule>');
  });

  it('no banner, limits, timeouts from the spec', () => {
    const conf = render({ ...base, clientMaxBodySize: '2m', timeouts: { clientKeepaliveSeconds: 30 } });
    for (const line of ['ServerTokens Prod', 'ServerSignature Off', 'TraceEnable Off', 'LimitRequestBody 2097152', 'KeepAliveTimeout 30', 'RequestReadTimeout header=15 body=30']) {
      expect(conf).toContain(line);
    }
    // Proxied requests escape LimitRequestBody: a declared length over it is refused before the proxy.
    expect(conf).toContain("req('Content-Length') -gt 2097152\">\n    Redirect 413");
  });

  it('one pooled worker to a lone gateway: WebSockets, ttl below the gateway keep-alive, never shunned', () => {
    expect(render(base)).toContain('ProxyPass "/" "http://127.0.0.1:8000/" upgrade=websocket ttl=60 retry=0 connectiontimeout=5 timeout=60');
  });

  it('a balancer over replicas: failover only on a refused connection, passive health from the spec', () => {
    const conf = render({ ...base, upstream: { servers: [{ host: 'gw-0', port: 8000 }, { host: '::1', port: 8001 }], failTimeoutSeconds: 7, tries: 3 } });
    expect(conf).toContain('BalancerMember "http://gw-0:8000" upgrade=websocket ttl=60 retry=7');
    expect(conf).toContain('BalancerMember "http://[::1]:8001"');
    expect(conf).toContain('ProxySet lbmethod=byrequests maxattempts=2');
    expect(conf).toContain('ProxyPass "/" "balancer://gateway/"');
  });

  it('the forwarded headers the gateway trusts, set (not appended to what the client sent)', () => {
    const conf = render(base);
    expect(conf).toContain('ProxyAddHeaders Off');
    expect(conf).toContain('SetEnvIf Request_URI "^" proxy-initial-not-pooled');
    expect(conf).toContain('RequestHeader set X-Forwarded-For "expr=%{REMOTE_ADDR}"');
    expect(conf).toContain('RequestHeader set X-Request-Id "%{KIT_REQUEST_ID}e" env=!CLIENT_REQUEST_ID');
  });

  it('static folders are excluded from the proxy before ProxyPass /, with the spec\'s cache lifetimes', () => {
    const conf = render({ ...base, immutableAssets: [{ framework: 'next', prefix: '/_next/static/', root: '/app/.next/static' }] });
    const catchAll = conf.indexOf('ProxyPass "/" ');
    for (const exclusion of ['ProxyPass "/static/" !', 'ProxyPass "/_next/static/" !', 'ProxyPassMatch "/\\.(?!well-known/)" !', 'ProxyPass "/nginx-health" !']) {
      expect(conf.indexOf(exclusion)).toBeGreaterThan(-1);
      expect(conf.indexOf(exclusion)).toBeLessThan(catchAll);
    }
    expect(conf).toContain('Alias "/_next/static/" "/app/.next/static/"');
    expect(conf).toContain('Header set Cache-Control "public, max-age=300"');
    expect(conf).toContain('Options -Indexes');
  });

  it('drops to the spec\'s user only when one is given', () => {
    expect(render(base)).not.toMatch(/^User /m);
    expect(render({ ...base, user: 'www-data www-data' })).toContain('User www-data\nGroup www-data');
  });

  it('refuses, naming the field, what only nginx renders yet', () => {
    expect(() => render({ ...base, status: { port: 9113 } })).toThrow('invalid Apache spec: status:');
    expect(() => render({ ...base, stickyPath: '/socket.io/' })).toThrow('invalid Apache spec: stickyPath:');
  });

  it('is pure: the same spec renders the same text', () => {
    const spec = nginxSpec(base);
    expect(renderApacheConf(spec)).toBe(renderApacheConf(structuredClone(spec)));
  });

  it('reads sizes as nginx writes them', () => {
    expect([sizeInBytes('512'), sizeInBytes('512k'), sizeInBytes('10m')]).toEqual([512, 524_288, 10_485_760]);
    expect(apacheWorkerUrl({ socket: '/run/gw.sock' })).toBe('unix:/run/gw.sock|http://localhost/');
  });
});

describe('renderStaticTierConf', () => {
  it('renders each server from the one spec', () => {
    const spec = nginxSpec(base);
    expect(STATIC_SERVERS).toEqual(['nginx', 'apache']);
    expect(renderStaticTierConf('nginx', spec)).toBe(renderNginxConf(spec));
    expect(renderStaticTierConf('apache', spec)).toBe(renderApacheConf(spec));
  });
});
