import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { GatewayError } from '../../../gateway/errors.ts';
import { gatewayErrorOf } from '../../support/errors.ts';
import { renderHelp, renderSettingsMarkdown } from '../../../gateway/settings/help.ts';
import { loadSettings, parseText } from '../../../gateway/settings/load.ts';
import { resolvePool } from '../../../gateway/settings/pool.ts';
import { SETTINGS, envOf, flagOf, type SettingEntry, type SettingName } from '../../../gateway/settings/registry.ts';

// Config files are imported by the test, so they live inside the project where jest's ESM
// transform applies (test/.tmp is ignored by git).
const TMP = fileURLToPath(new URL('../../.tmp/', import.meta.url));
mkdirSync(TMP, { recursive: true });
const cwd = mkdtempSync(join(TMP, 'settings-'));
const load = (argv: string[], env: NodeJS.ProcessEnv = {}, dir = cwd) => loadSettings({ argv: ['app.ts', ...argv], env, cwd: dir });

/** A valid text form of every setting, to prove each flag and variable is wired. */
const SAMPLE: Record<SettingName, string> = {
  config: '', checkConfig: 'true', app: 'x.ts', mounts: '/api=./api.ts', bind: '127.0.0.1:8123', adminBind: '127.0.0.1:9123', metricsBind: '127.0.0.1:9124', socketMode: '600',
  listenStrategy: 'reuse-port', stickyPath: '/live/io/', workers: '3', minWorkers: '1', maxWorkers: '4', timeout: '7', gracefulTimeout: '8',
  bootTimeout: '9', drainDelay: '1.5', requestTimeout: '11', maxRequests: '12', maxRequestsJitter: '13', maxMemory: '14',
  keepAliveTimeout: '15', wsPingInterval: '19', wsCloseCode: '4000', headersTimeout: '16', maxHeaderSize: '4096', maxBodySize: '18', forwardedAllowIps: '10.0.0.1,10.0.0.2',
  logLevel: 'debug', accessLog: 'false', logFile: '/tmp/x.log',
  scaleUpThreshold: '0.8', scaleDownThreshold: '0.2', scaleUpInFlight: '4', scaleUpAfter: '2', scaleDownAfter: '20',
  scaleUpStep: '2', scaleCooldown: '3', scaleDownPenalty: '1',
};

describe('settings registry', () => {
  const names = Object.keys(SETTINGS) as SettingName[];

  test.each(names.filter((n) => !SETTINGS[n].cliOnly && n !== 'app' && n !== 'mounts'))(
    '%s is settable by its flag and by its environment variable, and the flag wins',
    async (name) => {
      const entry: SettingEntry = SETTINGS[name];
      const expected = entry.schema.parse(parseText(entry, SAMPLE[name]));
      const fromEnv = await load([], { [envOf(name)]: SAMPLE[name] });
      expect(fromEnv.settings[name]).toEqual(expected);
      expect(fromEnv.sources[name]).toBe(envOf(name));
      const flagArgs = entry.kind === 'bool' ? [expected ? flagOf(name) : `--no-${flagOf(name).slice(2)}`] : [flagOf(name), SAMPLE[name]];
      if (!entry.schema.safeParse(parseText(entry, 'garbage!')).success) {
        // The environment is validated even when a flag overrides it: a bad variable is still an error.
        const both = await load(flagArgs, { [envOf(name)]: 'garbage!' }).catch((e: unknown) => e);
        expect(both).toBeInstanceOf(GatewayError);
      }
      const fromFlag = await load(flagArgs);
      expect(fromFlag.settings[name]).toEqual(expected);
    },
  );

  test('every setting is in --help and in docs/settings.md, which is up to date', () => {
    const help = renderHelp();
    for (const name of names) expect(help).toContain(name === 'mounts' ? '--mount' : flagOf(name));
    const onDisk = readFileSync(new URL('../../../docs/settings.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderSettingsMarkdown()); // regenerate with: npm run docs:settings
  });

  test.each(names.filter((n) => SETTINGS[n].kind === 'bool'))('--help and the docs show --no-… for %s, and it turns the setting off', async (name) => {
    const off = `--no-${flagOf(name).slice(2)}`;
    expect(renderHelp()).toContain(off);
    expect(renderSettingsMarkdown()).toContain(`\`${off}\``);
    expect((await load([flagOf(name), off])).settings[name]).toBe(false);
  });

  test('the config file sits below the environment, with hooks passed through', async () => {
    const dir = mkdtempSync(join(TMP, 'config-'));
    writeFileSync(join(dir, 'gateway.config.ts'), 'export default { workers: 5, timeout: 12, hooks: { onStarting() {} } };\n');
    const loaded = await load([], { GATEWAY_TIMEOUT: '13' }, dir);
    expect(loaded.settings.workers).toBe(5);
    expect(loaded.settings.timeout).toBe(13);
    expect(typeof loaded.hooks.onStarting).toBe('function');
    expect(loaded.configPath).toBe(join(dir, 'gateway.config.ts'));
  });

  test('WEB_CONCURRENCY sets the worker count as it does for gunicorn', async () => {
    expect((await load([], { WEB_CONCURRENCY: '6' })).settings.workers).toBe(6);
  });
});

describe('bad configuration names the setting (exit code 2)', () => {
  const cases: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
    ['non-numeric workers', ['--workers', 'many'], {}, /workers \(--workers\) = not a number: expected a whole number/],
    ['zero workers', ['--workers', '0'], {}, /workers .* must be at least 1/],
    ['bad bind', ['--bind', 'localhost'], {}, /bind \(--bind\) = "localhost": expected HOST:PORT/],
    ['port out of range', ['--bind', '127.0.0.1:70000'], {}, /port must be 0..65535/],
    ['negative timeout by env', [], { GATEWAY_TIMEOUT: '-1' }, /timeout \(GATEWAY_TIMEOUT\) = -1/],
    ['unknown strategy', ['--listen-strategy', 'magic'], {}, /listenStrategy/],
    ['sticky path without its trailing slash', ['--sticky-path', '/socket.io'], {}, /stickyPath \(--sticky-path\).*path prefix like \/socket.io\//],
    ['misspelt variable', [], { GATEWAY_WORKRES: '2' }, /unknown setting: environment variable GATEWAY_WORKRES \(did you mean GATEWAY_WORKERS\?\)/],
    ['unknown flag', ['--wrokers', '2'], {}, /bad usage: Unknown option '--wrokers' \(did you mean --workers\?\)/],
    ['negative value as its own argument', ['--timeout', '-1'], {}, /argument is ambiguous.*use '--timeout=-XYZ'/],
    ['bad proxy address', ['--forwarded-allow-ips', '127.0.0.1,nginx'], {}, /forwardedAllowIps .* expected IP addresses or CIDRs/],
    ['bool garbage', [], { GATEWAY_ACCESS_LOG: 'maybe' }, /accessLog \(GATEWAY_ACCESS_LOG\) = "maybe"/],
  ];
  test.each(cases)('%s', async (_title, argv, env, message) => {
    const error = await gatewayErrorOf(load(argv, env));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
  });

  test('a config file with an unknown key or a bad value is named with the file', async () => {
    const dir = mkdtempSync(join(TMP, 'config-'));
    writeFileSync(join(dir, 'gateway.config.ts'), 'export default { wrokers: 2 };\n');
    expect((await gatewayErrorOf(load([], {}, dir))).message).toMatch(/unknown setting: wrokers in .*gateway.config.ts \(did you mean workers\?\)/);
    // A second directory: jest's module registry, unlike Node, ignores the reload query string.
    const other = mkdtempSync(join(TMP, 'config-'));
    writeFileSync(join(other, 'gateway.config.ts'), 'export default { maxRequests: -5 };\n');
    expect((await gatewayErrorOf(load([], {}, other))).message).toMatch(/maxRequests \(.*gateway.config.ts\) = -5: must be 0 or more/);
  });

  test('no app module is a usage error', async () => {
    const error = await gatewayErrorOf(loadSettings({ argv: [], env: {}, cwd }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/no app module given/);
  });
});

describe('pool bounds', () => {
  const base = async (argv: string[]) => (await load(argv)).settings;
  test('--workers alone is a fixed pool', async () => {
    expect(resolvePool(await base(['--workers', '3']), true, 8)).toEqual({ initial: 3, min: 3, max: 3, autoscale: false });
  });
  test('min/max that differ autoscale, starting at min, max defaulting to the CPU budget', async () => {
    expect(resolvePool(await base(['--min-workers', '2']), false, 4)).toEqual({ initial: 2, min: 2, max: 4, autoscale: true });
  });
  test('min above max is refused naming both', async () => {
    expect(() => resolvePool({ ...SAMPLE_SETTINGS(), minWorkers: 5, maxWorkers: 2 }, false, 4)).toThrow(/minWorkers \(5\) is greater than maxWorkers \(2\)/);
  });
});

function SAMPLE_SETTINGS() {
  return { workers: 1, minWorkers: undefined, maxWorkers: undefined } as unknown as Parameters<typeof resolvePool>[0];
}
