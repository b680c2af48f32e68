/**
 * Property-based fuzzing (fast-check) of the two places where arbitrary user input meets the
 * gateway before any request: the settings loader (argv + environment) and the app interface
 * detection (whatever a module exports). Either the input is accepted and every value satisfies
 * its setting's schema, or the gateway refuses with one of its coded errors and the right exit
 * code: never a raw exception, never a value that slipped past validation.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { ExitCode, GatewayError } from '../../gateway/errors.ts';
import { detectApp } from '../../gateway/interface/detect.ts';
import { loadSettings } from '../../gateway/settings/load.ts';
import { SETTINGS, envOf, flagOf, type SettingName } from '../../gateway/settings/registry.ts';

const NAMES = (Object.keys(SETTINGS) as SettingName[]).filter((n) => n !== 'config' && n !== 'app');

/** Values a user might type: numbers of every shape, words, addresses, junk. */
const text = fc.oneof(
  fc.integer({ min: -5, max: 70_000 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom('', ' ', 'true', 'no', 'abc', '1e3', '0x10', '127.0.0.1:8000', '[::1]:0', 'host:-1', '/api=./x.ts', 'reuse-port', 'info'),
  fc.string({ maxLength: 12 }),
);

const flagArgs = fc.array(
  fc.tuple(fc.constantFrom(...NAMES), text).map(([name, value]) => {
    const entry = SETTINGS[name];
    return entry.kind === 'bool' ? [value === '' ? flagOf(name) : `--no-${flagOf(name).slice(2)}`] : [`${flagOf(name)}=${value}`];
  }),
  { maxLength: 5 },
);

const envVars = fc.dictionary(
  fc.constantFrom(...NAMES.filter((n) => !SETTINGS[n].cliOnly).map(envOf), 'WEB_CONCURRENCY', 'GATEWAY_BOGUS'),
  text,
  { maxKeys: 4 },
);

describe('settings loader fuzz', () => {
  test('any argv and environment: valid settings or a coded config error (exit 2)', async () => {
    await fc.assert(
      fc.asyncProperty(flagArgs, envVars, async (flags, env) => {
        const argv = ['app.ts', ...flags.flat()];
        try {
          const loaded = await loadSettings({ argv, env, cwd: '/nonexistent-dir-for-fuzz' });
          for (const name of NAMES) {
            expect(SETTINGS[name].schema.safeParse(loaded.settings[name]).success).toBe(true);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(GatewayError);
          expect((error as GatewayError).exitCode).toBe(ExitCode.CONFIG);
          expect((error as GatewayError).message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('a setting given on the command line wins over the environment', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), async (cli, env) => {
        const loaded = await loadSettings({ argv: ['app.ts', '--workers', String(cli)], env: { GATEWAY_WORKERS: String(env) }, cwd: '/nonexistent-dir-for-fuzz' });
        expect(loaded.settings.workers).toBe(cli);
      }),
      { numRuns: 50 },
    );
  });
});

describe('app interface detection fuzz', () => {
  test('any module namespace: a fetch app, a listener, or APP_EXPORT_INVALID (exit 4)', () => {
    const exported = fc.oneof(
      fc.anything(),
      fc.record({ fetch: fc.anything(), init: fc.anything(), close: fc.anything() }, { requiredKeys: [] }),
      fc.constant(() => undefined),
      fc.constant({ fetch: () => new Response('x') }),
      fc.constant({ callback: () => undefined }),
    );
    const namespace = fc.oneof(fc.anything(), fc.record({ default: exported }), fc.record({ named: exported }));
    fc.assert(
      fc.property(namespace, (ns) => {
        try {
          const detected = detectApp(ns);
          const value = (ns as { default: unknown }).default as Record<string, unknown>;
          if (detected.kind === 'fetch') expect(typeof value.fetch).toBe('function');
          else expect(typeof value).toBe('function');
        } catch (error) {
          expect(error).toBeInstanceOf(GatewayError);
          expect((error as GatewayError).code).toBe('APP_EXPORT_INVALID');
          expect((error as GatewayError).exitCode).toBe(ExitCode.APP_LOAD);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('exports whose properties throw when read are refused with a coded error', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); }, has: () => true });
    expect(() => detectApp({ default: hostile })).toThrow(GatewayError);
    expect(() => detectApp(hostile)).toThrow(GatewayError);
  });
});
