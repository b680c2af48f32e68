/**
 * Where the official base images (`node:24-bookworm-slim`, `nginx:1.27-bookworm`, `httpd:2.4-bookworm`) come from for the
 * container suite: the official image where it can be pulled (GitHub-hosted runners, most laptops),
 * a locally built stand-in where it cannot (the sandboxes this kit is developed in).
 *
 * `KIT_BASE_IMAGES` chooses: `auto` (default: an official image already present is used, else
 * `docker pull`, else a stand-in), `pull` (official images only; a failed pull fails), `stand-in`
 * (never pull; build stand-ins, which needs root, debootstrap and Debian bookworm apt sources).
 */
import { $ } from 'zx';
import { ensureBaseImages, imageRecipe, type BaseImageResult, type BaseImageTags } from './base-image-build.ts';

export const BASE_IMAGE_MODES = ['auto', 'pull', 'stand-in'] as const;
export type BaseImageMode = (typeof BASE_IMAGE_MODES)[number];

/** The mode from the environment; throws naming the variable on an unknown value. */
export function baseImageMode(env: NodeJS.ProcessEnv = process.env): BaseImageMode {
  const value = env.KIT_BASE_IMAGES ?? 'auto';
  if (!(BASE_IMAGE_MODES as readonly string[]).includes(value)) {
    throw new Error(`KIT_BASE_IMAGES must be one of ${BASE_IMAGE_MODES.join(', ')}, got "${value}"`);
  }
  return value as BaseImageMode;
}

/** What is known about one tag before anything is pulled or built. */
export interface LocalImage {
  present: boolean;
  /** Carries the stand-in recipe label: built here, not pulled. */
  standIn: boolean;
}

/** First move for one tag: use the image present, try `docker pull`, or build the stand-in. */
export function firstMove(mode: BaseImageMode, local: LocalImage): 'use' | 'pull' | 'stand-in' {
  if (mode === 'stand-in') return 'stand-in';
  if (local.present && !local.standIn) return 'use';
  return 'pull';
}

/** One line per tag: what `provideBaseImages` would try first (for `npm test -- --preflight`). */
export async function describeBaseImagePlan(tags: BaseImageTags, mode: BaseImageMode = baseImageMode(), root = process.getuid?.() === 0): Promise<string[]> {
  const lines: string[] = [];
  const standIn = root ? 'a stand-in (debootstrap)' : 'a failure: stand-ins need root (debootstrap)';
  for (const tag of [...tags.node, ...tags.nginx, ...tags.httpd]) {
    const recipe = await imageRecipe(tag);
    const local = recipe === undefined ? 'absent' : recipe ? 'a stand-in' : 'present';
    const move = firstMove(mode, { present: recipe !== undefined, standIn: Boolean(recipe) });
    const then = move === 'use' ? 'used as is' : move === 'stand-in' ? `built or refreshed as ${standIn}`
      : mode === 'pull' ? 'docker pull; a failure fails' : `docker pull, else ${standIn}`;
    lines.push(`${tag}: ${local} → ${then}`);
  }
  return lines;
}

/** How each tag was provided. */
export interface BaseImageSources {
  official: string[];
  standIns: BaseImageResult[];
}

export interface ProvideOptions {
  mode?: BaseImageMode;
  log?: (line: string) => void;
  /** Whether this process may build stand-ins (debootstrap runs as root). */
  root?: boolean;
}

/** Provide every tag; stand-ins only for the tags that could not be pulled (or when asked for). */
export async function provideBaseImages(tags: BaseImageTags, options: ProvideOptions = {}): Promise<BaseImageSources> {
  const mode = options.mode ?? baseImageMode();
  const log = options.log ?? ((line: string) => process.stderr.write(`[base-images] ${line}\n`));
  const official: string[] = [];
  const standIn: BaseImageTags = { node: [], nginx: [], httpd: [] };
  const pullFailures: string[] = [];
  for (const kind of ['node', 'nginx', 'httpd'] as const) {
    for (const tag of tags[kind]) {
      const recipe = await imageRecipe(tag);
      const move = firstMove(mode, { present: recipe !== undefined, standIn: Boolean(recipe) });
      if (move === 'use') {
        official.push(tag);
        continue;
      }
      if (move === 'pull') {
        const pull = await $`docker pull --quiet ${tag}`.quiet().nothrow().timeout('5m');
        if (pull.exitCode === 0) {
          log(`${tag}: pulled the official image`);
          official.push(tag);
          continue;
        }
        const reason = (pull.stderr.trim().split('\n').at(-1) ?? '') || `exit ${pull.exitCode}`;
        if (mode === 'pull') throw new Error(`docker pull ${tag} failed (${reason}); KIT_BASE_IMAGES=pull allows official images only`);
        pullFailures.push(`${tag}: ${reason}`);
      }
      standIn[kind].push(tag);
    }
  }
  const needed = [...standIn.node, ...standIn.nginx, ...standIn.httpd].join(', ');
  if (needed === '') return { official, standIns: [] };
  if (!(options.root ?? process.getuid?.() === 0)) {
    throw new Error(`${needed}: ${pullFailures.length > 0 ? `docker pull failed (${pullFailures.join('; ')}) and ` : ''}` +
      'building stand-ins needs root (debootstrap). Make the official images pullable, or run as root with KIT_BASE_IMAGES=stand-in');
  }
  if (pullFailures.length > 0) log(`no registry for ${needed} (${pullFailures.join('; ')}): using stand-ins`);
  return { official, standIns: await ensureBaseImages({ tags: standIn, log }) };
}
