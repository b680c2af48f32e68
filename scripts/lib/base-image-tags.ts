/**
 * Which official image names the stand-ins must carry: read from the `FROM` lines of the project's
 * Dockerfiles, so a Dockerfile that moves to another tag of `node`, `nginx` or `httpd` keeps building here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TAGS, type BaseImageTags } from './base-image-build.ts';

/** Tags found in Dockerfile texts, by stand-in; `other` lists bases no stand-in provides. */
export interface DockerfileBases extends BaseImageTags {
  other: string[];
}

/**
 * Base images named by `FROM` lines, skipping earlier stages (`FROM build`) and `scratch`; a
 * `FROM ${NODE_IMAGE}` takes the default of its `ARG NODE_IMAGE=...`.
 */
export function baseImagesOf(dockerfiles: string[]): DockerfileBases {
  const found: DockerfileBases = { node: [], nginx: [], httpd: [], other: [] };
  for (const text of dockerfiles) {
    const stages = new Set<string>();
    const args = new Map<string, string>();
    for (const line of text.split('\n')) {
      const arg = /^\s*ARG\s+(\w+)=("?)(\S*)\2\s*$/i.exec(line);
      if (arg) args.set(arg[1]!, arg[3]!);
      const match = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
      if (!match) continue;
      const image = match[1]!.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => args.get(name) ?? whole);
      const earlierStage = stages.has(image.toLowerCase());
      if (match[2]) stages.add(match[2].toLowerCase());
      if (earlierStage || image === 'scratch') continue;
      const repository = image.replace(/^docker\.io\/(library\/)?/, '').split(/[:@]/)[0];
      const bucket = repository === 'node' || repository === 'nginx' || repository === 'httpd' ? found[repository] : found.other;
      if (!bucket.includes(image)) bucket.push(image);
    }
  }
  return found;
}

/** The project's Dockerfiles that exist (the gateway+app image at the root, the static tier's in nginx/ and apache/). */
export function projectDockerfiles(root: string): string[] {
  return ['Dockerfile', join('nginx', 'Dockerfile'), join('apache', 'Dockerfile')].map((p) => join(root, p)).filter((p) => existsSync(p));
}

/** Tags to build: the defaults plus whatever the project's Dockerfiles name. */
export function baseImageTagsFor(root: string): DockerfileBases {
  const bases = baseImagesOf(projectDockerfiles(root).map((p) => readFileSync(p, 'utf8')));
  return {
    node: [...new Set([...DEFAULT_TAGS.node, ...bases.node])],
    nginx: [...new Set([...DEFAULT_TAGS.nginx, ...bases.nginx])],
    httpd: [...new Set([...DEFAULT_TAGS.httpd, ...bases.httpd])],
    other: bases.other,
  };
}
