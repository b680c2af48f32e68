import { describe, expect, it } from '@jest/globals';
import { parseStackSettings, STACK_SETTINGS, stackHelp } from '../../scripts/lib/stack-settings.ts';
import { formatLogLine } from '../../scripts/lib/tier-process.ts';

describe('parseStackSettings', () => {
  it('uses the defaults when nothing is given', () => {
    expect(parseStackSettings({ _: [] }, {})).toEqual({
      sitePort: 8080, gatewayPort: 8000, adminPort: 9000, minWorkers: 1, maxWorkers: undefined, app: 'dist/app/server.js', staticServer: 'nginx', runDir: 'run',
      prometheus: false, prometheusPort: 9090, metricsPort: 9101, nginxStatusPort: 8081, exporterPort: 9113,
    });
  });

  it('takes flags over environment over defaults', () => {
    const env = { STACK_SITE_PORT: '8181', STACK_ADMIN_PORT: '9191' };
    expect(parseStackSettings({ 'site-port': 8282 }, env)).toMatchObject({ sitePort: 8282, adminPort: 9191, gatewayPort: 8000 });
  });

  it.each([
    [{ 'site-port': 80 }, {}, '--site-port=80: must be 1024..65535'],
    [{ 'admin-port': 'abc' }, {}, '--admin-port=abc'],
    [{}, { STACK_GATEWAY_PORT: '70000' }, 'STACK_GATEWAY_PORT=70000'],
    [{ 'min-workers': 0 }, {}, '--min-workers=0: must be at least 1'],
    [{ 'min-workers': 3, 'max-workers': 2 }, {}, '--max-workers=2 is below --min-workers=3'],
    [{ 'site-port': 9000 }, {}, 'must differ'],
    [{ 'sit-port': 9000 }, {}, 'unknown option --sit-port'],
    [{ app: 'app/server.py' }, {}, '--app=app/server.py: must be a .ts, .js, .mjs or .cjs module'],
    [{ 'static-server': 'iis' }, {}, '--static-server=iis: must be one of nginx, apache'],
    [{}, { STACK_STATIC_SERVER: 'httpd' }, 'STACK_STATIC_SERVER=httpd: must be one of nginx, apache'],
    [{ prometheus: 'yes' }, {}, '--prometheus=yes: must be true or false'],
    [{ prometheus: true, 'metrics-port': 9000 }, {}, 'must differ'],
    [{ prometheus: true, 'exporter-port': 8080 }, {}, 'must differ'],
  ])('refuses %j %j naming the setting', (flags, env, message) => {
    expect(() => parseStackSettings(flags, env)).toThrow(message);
  });

  it('--prometheus (or STACK_PROMETHEUS) turns monitoring on; its ports are free to clash while it is off', () => {
    expect(parseStackSettings({ prometheus: true }, {}).prometheus).toBe(true);
    expect(parseStackSettings({}, { STACK_PROMETHEUS: '1' }).prometheus).toBe(true);
    expect(parseStackSettings({ 'metrics-port': 9000 }, {}).prometheus).toBe(false);
  });

  it('chooses the static tier\'s server by flag or environment', () => {
    expect(parseStackSettings({ 'static-server': 'apache' }, {}).staticServer).toBe('apache');
    expect(parseStackSettings({}, { STACK_STATIC_SERVER: 'apache' }).staticServer).toBe('apache');
  });

  it('documents every setting in --help, with its flag and environment variable', () => {
    const help = stackHelp();
    for (const setting of Object.values(STACK_SETTINGS)) {
      expect(help).toContain(`--${setting.flag}`);
      expect(help).toContain(setting.env);
    }
  });
});

describe('formatLogLine', () => {
  it('shortens a pino JSON line to level, message and fields', () => {
    const line = JSON.stringify({ level: 40, time: 1, pid: 2, hostname: 'h', msg: 'worker 1 exited', worker: 1 });
    expect(formatLogLine(line)).toBe('WARN worker 1 exited worker=1');
    expect(formatLogLine('{"level":"info","msg":"ready"}')).toBe('info ready');
  });

  it('leaves other lines alone', () => {
    expect(formatLogLine('nginx: [warn] something')).toBe('nginx: [warn] something');
    expect(formatLogLine('{not json')).toBe('{not json');
  });
});
