/**
 * `--help` and docs/settings.md, both generated from the settings registry so they cannot drift
 * from what the gateway accepts.
 */
import { SETTINGS, envOf, flagOf, type SettingEntry, type SettingName } from './registry.ts';

const GROUPS: SettingEntry['group'][] = ['Server', 'Workers', 'Autoscaling', 'Supervision', 'Limits', 'Proxy', 'Logging'];
const NAMES = Object.keys(SETTINGS) as SettingName[];

function shownDefault(name: SettingName): string {
  const d: unknown = SETTINGS[name].default;
  if (typeof d === 'function') return name === 'workers' ? 'CPUs available' : 'computed';
  if (d === undefined || d === '') return '—';
  return Array.isArray(d) ? d.join(',') || '—' : String(d);
}

/** The flags that set a setting: a boolean shows its `--no-…` form too (every boolean takes one). */
export function flagsOf(name: SettingName): string[] {
  if (name === 'mounts') return ['--mount'];
  const flag = flagOf(name);
  return SETTINGS[name].kind === 'bool' ? [flag, `--no-${flag.slice(2)}`] : [flag];
}

export function renderHelp(): string {
  const lines = [
    'usage: gateway APP_MODULE [options]',
    '       gateway health [--admin-bind HOST:PORT] [--ready]',
    '',
    'A pre-fork worker-pool server for TypeScript apps. APP_MODULE default-exports a fetch app',
    '({ fetch(request, ctx) }) or a Node listener ((req, res) => void).',
    'Every option is also an environment variable (GATEWAY_<NAME>) and a key of gateway.config.ts;',
    'precedence: command line > environment > config file > defaults.',
  ];
  for (const group of GROUPS) {
    lines.push('', `${group}:`);
    for (const name of NAMES.filter((n) => SETTINGS[n].group === group)) {
      const entry: SettingEntry = SETTINGS[name];
      const value = entry.kind === 'bool' ? '' : name === 'mounts' ? ' PREFIX=MODULE' : ` ${entry.kind.toUpperCase()}`;
      lines.push(`  ${`${flagsOf(name).join(', ')}${value}`.padEnd(34)} ${entry.doc} [${shownDefault(name)}]`);
    }
  }
  lines.push('', 'Exit codes: 0 ok, 1 internal error, 2 bad config or usage, 3 worker boot failure, 4 app load failure, 5 unhealthy.');
  return lines.join('\n');
}

export function renderSettingsMarkdown(): string {
  const lines = [
    '# Gateway settings',
    '',
    'Generated from `gateway/settings/registry.ts` by `npm run docs:settings`; a test fails when this page is stale.',
    'Each setting is a command-line flag, an environment variable and a key of `gateway.config.ts`.',
    'Precedence: command line > environment > config file > defaults. A bad value stops the gateway',
    'with exit code 2 and a message naming the setting, before anything binds.',
  ];
  for (const group of GROUPS) {
    lines.push('', `## ${group}`, '', '| setting | flag | environment | default | reload on HUP | what it does |', '|---|---|---|---|---|---|');
    for (const name of NAMES.filter((n) => SETTINGS[n].group === group)) {
      const entry: SettingEntry = SETTINGS[name];
      const env = entry.cliOnly ? '—' : [envOf(name), ...(entry.aliasEnv ?? [])].map((e) => `\`${e}\``).join(', ');
      const flags = flagsOf(name).map((f) => `\`${f}\``).join(', ');
      lines.push(`| \`${name}\` | ${flags} | ${env} | ${shownDefault(name)} | ${entry.reloadable ? 'yes' : 'restart'} | ${entry.doc} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
