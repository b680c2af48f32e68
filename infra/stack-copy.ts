/**
 * Keep the tracked `Pulumi.<stack>.yaml` files as they are in git. `pulumi stack init` (and
 * `stack select --create`) writes an `encryptionsalt` into the stack file of the project it runs
 * in (pulumi/pulumi#8408), so the kit creates stacks from a copy of the project in
 * `run/stacks/<stack>/` (ignored by git) and runs `up`/`preview`/`refresh`/`destroy` with
 * `--config-file` pointing at that copy's stack file: the tracked config plus the salt, regenerated
 * before every run, so edits to the tracked file still take effect.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** Where a stack's copy lives and which tracked file it mirrors. */
export interface StackCopy {
  stack: string;
  /** Project copy the stack is created in (`--cwd`). */
  dir: string;
  /** Generated stack file passed as `--config-file`. */
  configFile: string;
  /** The tracked `Pulumi.<stack>.yaml`. */
  tracked: string;
}

export function stackCopy(root: string, stack: string): StackCopy {
  const dir = join(root, 'run', 'stacks', stack);
  return { stack, dir, configFile: join(dir, `Pulumi.${stack}.yaml`), tracked: join(root, `Pulumi.${stack}.yaml`) };
}

/** Write the copy: Pulumi.yaml, and the tracked config plus `extraConfig`, keeping the salt Pulumi wrote. */
export function syncStackCopy(root: string, copy: StackCopy, extraConfig: Record<string, string> = {}): void {
  const tracked = parse(readFileSync(copy.tracked, 'utf8')) as { config?: Record<string, unknown>; encryptionsalt?: string };
  const previous = existsSync(copy.configFile) ? ((parse(readFileSync(copy.configFile, 'utf8')) ?? {}) as { encryptionsalt?: string }) : {};
  const salt = previous.encryptionsalt ?? tracked.encryptionsalt;
  const generated = { ...(salt ? { encryptionsalt: salt } : {}), config: { ...tracked.config, ...extraConfig } };
  mkdirSync(copy.dir, { recursive: true });
  writeFileSync(join(copy.dir, 'Pulumi.yaml'), readFileSync(join(root, 'Pulumi.yaml')));
  writeFileSync(copy.configFile, `# Generated from ${copy.tracked} before each pulumi run; edit that file instead.\n${stringify(generated)}`);
}

/** Subcommands that take `--config-file` and read the stack's config. */
const CONFIG_READERS = new Set(['up', 'update', 'preview', 'refresh', 'destroy']);

/**
 * Rewrite a `pulumi` command line so it never writes into a tracked stack file: stack creation runs
 * in the project copy, deployments read the copy's stack file. `tracked(stack)` says whether the
 * project tracks `Pulumi.<stack>.yaml`; other stacks are left alone.
 */
export function rewritePulumiArgs(args: readonly string[], tracked: (stack: string) => boolean): { args: string[]; sync?: string } {
  const flag = args.findIndex((a) => a === '--stack' || a === '-s');
  const inline = args.find((a) => a.startsWith('--stack='));
  const named = flag >= 0 ? args[flag + 1] : inline?.slice('--stack='.length);
  const [first, second, third] = args;
  const creating = first === 'stack' && (second === 'init' || (second === 'select' && args.includes('--create')));
  const stack = creating ? (named ?? (third && !third.startsWith('-') ? third : undefined)) : named;
  if (!stack || !tracked(stack) || args.includes('--cwd') || args.includes('-C')) return { args: [...args] };
  if (creating) return { args: [...args, '--cwd', join('run', 'stacks', stack)], sync: stack };
  if (first && CONFIG_READERS.has(first) && !args.some((a) => a.startsWith('--config-file'))) {
    return { args: [...args, '--config-file', join('run', 'stacks', stack, `Pulumi.${stack}.yaml`)], sync: stack };
  }
  return { args: [...args] };
}
