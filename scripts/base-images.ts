/**
 * `npm run base-images [-- --dry-run]`: build the stand-ins for the official `node`, `nginx`
 * and `httpd` base images (nothing can be pulled here), tagged with the names the project's Dockerfiles use.
 * Cached: images whose recipe label matches are skipped. docs/containers.md explains the stand-ins.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argv } from 'zx';
import { ensureDockerEngine } from './lib/docker-engine.ts';
import { ensureBaseImages } from './lib/base-image-build.ts';
import { baseImageTagsFor } from './lib/base-image-tags.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tags = baseImageTagsFor(root);

console.log('plan:');
console.log('  1. a Docker engine: the running one, or start dockerd (docker.io installed if missing)');
console.log('  2. a debootstrap bookworm minbase root (cached in run/base-images), imported as kit-stand-in/bookworm-minbase');
console.log(`  3. node stand-in tagged ${tags.node.join(', ')}`);
console.log(`  4. nginx stand-in tagged ${tags.nginx.join(', ')}`);
console.log(`  5. httpd stand-in tagged ${tags.httpd.join(', ')}`);
if (tags.other.length > 0) console.log(`  note: no stand-in for ${tags.other.join(', ')}; those must be present already`);
if (argv['dry-run']) process.exit(0);

try {
  const engine = await ensureDockerEngine();
  console.log(`engine: Docker ${engine.version}${engine.startedByUs ? ` (started now; log ${engine.logFile}; left running)` : ''}`);
  const results = await ensureBaseImages({ tags: { node: tags.node, nginx: tags.nginx, httpd: tags.httpd } });
  for (const r of results) console.log(`ok   ${r.name.padEnd(5)} ${r.built ? `built in ${r.seconds} s` : 'cached'}  ${r.tags.join(', ')}`);
  console.log(`${results.length} passed, 0 failed`);
} catch (error) {
  console.error(`fail ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
