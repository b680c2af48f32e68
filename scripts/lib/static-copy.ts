/**
 * A root-started Apache serves as an unprivileged user (it refuses `User root`), and that user
 * cannot enter a checkout in a private folder (root's 700 home, a `mktemp -d`): every static file
 * would be a 403. Such folders are served from a copy in a fresh folder anyone may read; the files
 * are public anyway, the stack builds them before it starts, and the copy goes when it stops.
 * nginx needs none of this: its workers run as the invoking user (infra/local-user.ts).
 */
import { statSync } from 'node:fs';
import { chmod, cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nginxSpec, type NginxSpec } from '../../nginx/spec.ts';

/** True when any user can list `dir` and pass through every folder above it (o+x, and o+rx on dir). */
export function readableByOthers(dir: string): boolean {
  try {
    if ((statSync(dir).mode & 0o005) !== 0o005) return false;
    for (let parent = dirname(dir); ; parent = dirname(parent)) {
      if ((statSync(parent).mode & 0o001) === 0) return false;
      if (parent === dirname(parent)) return true;
    }
  } catch {
    return false;
  }
}

/** The spec with every static folder others cannot read replaced by a readable copy, and its cleanup. */
export async function readableStaticCopy(spec: NginxSpec): Promise<{ spec: NginxSpec; copied: string[]; remove: () => Promise<void> }> {
  const folders = [spec.staticRoot, ...spec.immutableAssets.map((a) => a.root)].filter((dir) => !readableByOthers(dir));
  if (folders.length === 0) return { spec, copied: [], remove: async () => {} };
  const base = await mkdtemp(join(tmpdir(), 'kit-static-'));
  await chmod(base, 0o755);
  const moved = new Map(folders.map((dir, i) => [dir, join(base, String(i))]));
  for (const [from, to] of moved) {
    await cp(from, to, { recursive: true });
    await chmodTree(to);
  }
  const at = (dir: string) => moved.get(dir) ?? dir;
  return {
    spec: nginxSpec({ ...spec, staticRoot: at(spec.staticRoot), immutableAssets: spec.immutableAssets.map((a) => ({ ...a, root: at(a.root) })) }),
    copied: folders,
    remove: () => rm(base, { recursive: true, force: true }),
  };
}

/** Folders 755, files 644, whatever the umask made of the copy. */
async function chmodTree(path: string): Promise<void> {
  await chmod(path, 0o755);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chmodTree(child);
    else await chmod(child, 0o644);
  }
}
