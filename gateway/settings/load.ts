/**
 * Settings from their four sources, with gunicorn's precedence: command line > environment >
 * config file > defaults. Every value is validated against the registry before anything binds
 * or forks; a bad one throws a GatewayError (exit 2) that names the setting and its source.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GatewayError } from '../errors.ts';
import { SETTINGS, defaultOf, envOf, flagOf, type SettingEntry, type SettingName, type Settings } from './registry.ts';
import type { Hooks } from '../hooks.ts';

const NAMES = Object.keys(SETTINGS) as SettingName[];

/** What a config file may export as default. */
export interface ConfigFile extends Partial<Record<SettingName, unknown>> {
  hooks?: Hooks;
  /** Request middleware run in every worker around every app (see docs/interface.md). */
  middleware?: unknown[];
}

export interface LoadedSettings {
  settings: Settings;
  hooks: Hooks;
  /** Where each explicitly set value came from, for `--check-config` and error messages. */
  sources: Partial<Record<SettingName, string>>;
  /** The config file that was read, if any. */
  configPath?: string;
}

export interface LoadInput {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Reads a setting given as text (a flag or an environment variable) into its typed form. */
export function parseText(entry: SettingEntry, text: string | string[]): unknown {
  const one = Array.isArray(text) ? text[text.length - 1] ?? '' : text;
  switch (entry.kind) {
    case 'int':
      return /^-?\d+$/.test(one.trim()) ? Number(one) : Number.NaN;
    case 'seconds':
    case 'number':
      return one.trim() === '' ? Number.NaN : Number(one);
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(one)) return true;
      if (/^(0|false|no|off)$/i.test(one)) return false;
      return one;
    case 'list':
      return (Array.isArray(text) ? text : [text]).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
    default:
      return one;
  }
}

function validate(name: SettingName, value: unknown, source: string): unknown {
  const result = SETTINGS[name].schema.safeParse(value);
  if (result.success) return result.data;
  const notANumber = typeof value === 'number' && Number.isNaN(value);
  const why = notANumber ? (SETTINGS[name].kind === 'int' ? 'expected a whole number' : 'expected a number') : result.error.issues[0]?.message;
  throw new GatewayError('CONFIG_INVALID', `${name} (${source}) = ${notANumber ? 'not a number' : JSON.stringify(value)}: ${why ?? 'invalid'}`);
}

/** Edit distance, for "did you mean" hints on misspelt settings. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

function closest(word: string, candidates: string[]): string {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
  const scored = candidates.map((c) => [c, distance(norm(word), norm(c))] as const).sort((x, y) => x[1] - y[1]);
  const best = scored[0];
  return best && best[1] <= Math.max(2, Math.floor(norm(word).length / 4)) ? ` (did you mean ${best[0]}?)` : '';
}

function cliOptions(): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const name of NAMES) {
    const entry: SettingEntry = SETTINGS[name];
    options[flagOf(name).slice(2)] = entry.kind === 'bool' ? { type: 'boolean' } : { type: 'string', multiple: true };
  }
  options['mount'] = { type: 'string', multiple: true };
  return options;
}

/** Parses the command line; returns the explicitly given settings and whether help was asked for. */
export function parseCommandLine(argv: string[]): { values: Partial<Record<SettingName, unknown>>; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: cliOptions(), allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    // Node's message adds advice about positional arguments that does not apply to us; drop it,
    // keep its advice for a negative value ('--timeout=-1'), and suggest a flag for a misspelt one.
    const { message: text, code } = error as { message?: unknown; code?: unknown };
    const message = (String(text ?? error).split('. To specify a positional argument')[0] ?? '').replace(/\s*\n\s*/g, ' ');
    const flag = /'(--?[\w-]+)/.exec(message)?.[1];
    const hint = flag && code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? closest(flag.replace(/^-+/, ''), NAMES.map(flagOf)) : '';
    throw new GatewayError('USAGE', `${message}${hint}; see --help`);
  }
  const values: Partial<Record<SettingName, unknown>> = {};
  const raw = parsed.values as Record<string, string | string[] | boolean | undefined>;
  for (const name of NAMES) {
    const given = raw[flagOf(name).slice(2)];
    if (given === undefined) continue;
    values[name] = typeof given === 'boolean' ? given : validate(name, parseText(SETTINGS[name], given), flagOf(name));
  }
  if (raw['mount']) values.mounts = validate('mounts', raw['mount'], '--mount');
  const [app, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new GatewayError('USAGE', `unexpected arguments: ${extra.join(' ')}; see --help`);
  if (app !== undefined) values.app = app;
  return { values, help: raw['help'] === true };
}

/** The settings set by `GATEWAY_*` variables (and aliases such as WEB_CONCURRENCY). */
export function readEnvironment(env: NodeJS.ProcessEnv): Partial<Record<SettingName, unknown>> {
  const values: Partial<Record<SettingName, unknown>> = {};
  const known = new Set<string>();
  for (const name of NAMES) {
    const entry: SettingEntry = SETTINGS[name];
    if (entry.cliOnly) continue;
    for (const variable of [...(entry.aliasEnv ?? []), envOf(name)]) {
      known.add(variable);
      const text = env[variable];
      if (text !== undefined && text !== '') values[name] = validate(name, parseText(entry, text), variable);
    }
  }
  for (const variable of Object.keys(env)) {
    if (variable.startsWith('GATEWAY_') && !known.has(variable)) {
      const hint = closest(variable.slice(8), NAMES.map(envOf).map((v) => v.slice(8)));
      throw new GatewayError('CONFIG_UNKNOWN', `environment variable ${variable}${hint ? hint.replace('mean ', 'mean GATEWAY_') : ''}`);
    }
  }
  return values;
}

/** Imports a config file (TypeScript or JavaScript) and validates its keys. */
export async function readConfigFile(path: string): Promise<{ values: Partial<Record<SettingName, unknown>>; hooks: Hooks }> {
  let loaded: { default?: ConfigFile };
  try {
    // ESM caches modules by URL; a version query makes HUP see an edited file (and reuses the
    // cached module while the file is unchanged).
    const { mtimeMs, size } = statSync(path);
    loaded = (await import(`${pathToFileURL(path).href}?v=${mtimeMs}-${size}`)) as { default?: ConfigFile };
  } catch (error) {
    throw new GatewayError('CONFIG_FILE', `${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const file = loaded.default ?? {};
  if (typeof file !== 'object' || file === null) throw new GatewayError('CONFIG_FILE', `${path}: default export must be an object`);
  const values: Partial<Record<SettingName, unknown>> = {};
  for (const [key, value] of Object.entries(file)) {
    if (key === 'hooks' || key === 'middleware') continue;
    if (!(key in SETTINGS) || SETTINGS[key as SettingName].cliOnly) {
      throw new GatewayError('CONFIG_UNKNOWN', `${key} in ${path}${closest(key, NAMES)}`);
    }
    values[key as SettingName] = validate(key as SettingName, value, path);
  }
  return { values, hooks: file.hooks ?? {} };
}

/** Loads and validates every setting, or throws a GatewayError naming the first bad one. */
export async function loadSettings(input: LoadInput): Promise<LoadedSettings & { help: boolean }> {
  const cli = parseCommandLine(input.argv);
  const env = readEnvironment(input.env);
  const explicitConfig = (cli.values.config as string | undefined) || undefined;
  const defaultConfig = resolve(input.cwd, 'gateway.config.ts');
  const configPath = explicitConfig ? resolve(input.cwd, explicitConfig) : existsSync(defaultConfig) ? defaultConfig : undefined;
  if (explicitConfig && !existsSync(configPath!)) throw new GatewayError('CONFIG_FILE', `${configPath} does not exist (--config)`);
  const file = configPath ? await readConfigFile(configPath) : { values: {}, hooks: {} };

  const settings = {} as Record<SettingName, unknown>;
  const sources: Partial<Record<SettingName, string>> = {};
  for (const name of NAMES) {
    const [value, source] =
      name in cli.values ? [cli.values[name], flagOf(name)]
      : name in env ? [env[name], envOf(name)]
      : name in file.values ? [file.values[name], configPath!]
      : [defaultOf(name), undefined];
    settings[name] = value;
    if (source) sources[name] = source;
  }
  const typed = settings as Settings;
  if (!typed.app && typed.mounts.length === 0 && !cli.help) {
    throw new GatewayError('USAGE', 'no app module given: gateway APP_MODULE [options] (see --help)');
  }
  return { settings: typed, hooks: file.hooks, sources, ...(configPath ? { configPath } : {}), help: cli.help };
}
