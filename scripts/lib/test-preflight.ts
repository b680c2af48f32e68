/**
 * `npm test -- --preflight`: what `npm test` would need and do on this machine, changing nothing.
 * The closest check here of a GitHub-hosted runner (a non-root user with passwordless sudo, Docker,
 * pullable images): run it as a second user (`useradd`, `runuser`) and read what it says.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { baseImageMode, describeBaseImagePlan } from './base-image-source.ts';
import { baseImageTagsFor } from './base-image-tags.ts';
import { dockerServerVersion } from './docker-engine.ts';
import { TEST_PACKAGES, findExecutable, installDecision, installerFacts } from './system-packages.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The preflight's lines and whether `npm test` could go ahead. */
export async function testPreflight(): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  let ok = true;
  const facts = await installerFacts();
  lines.push(`user ${userInfo().username} (uid ${process.getuid?.()}): ${facts.root ? 'root' : facts.passwordlessSudo ? 'not root, passwordless sudo' : 'not root, no passwordless sudo'}`);

  const missing = TEST_PACKAGES.filter((p) => !findExecutable(p.bin));
  for (const p of TEST_PACKAGES) lines.push(`${p.bin}: ${findExecutable(p.bin) ?? 'missing'} (${p.why})`);
  if (missing.length > 0) {
    const decision = installDecision(missing, facts);
    if ('refusal' in decision) {
      ok = false;
      lines.push(`cannot install: ${decision.refusal}`);
    } else {
      lines.push(`would install: ${decision.commands.map((c) => c.join(' ')).join(' && ')}`);
    }
  }

  const engine = await dockerServerVersion();
  if (engine) lines.push(`docker engine: ${engine}`);
  else if (facts.root) lines.push('docker engine: none answers; npm test starts dockerd');
  else {
    ok = false;
    lines.push('docker engine: none answers, and starting dockerd needs root: start Docker (or join the docker group)');
  }

  try {
    const mode = baseImageMode();
    const tags = baseImageTagsFor(ROOT);
    lines.push(`base images (KIT_BASE_IMAGES=${mode}):`);
    if (engine) for (const line of await describeBaseImagePlan(tags, mode)) lines.push(`  ${line}`);
    else lines.push(`  not checked without an engine: ${[...tags.node, ...tags.nginx, ...tags.httpd].join(', ')}`);
  } catch (error) {
    ok = false;
    lines.push(error instanceof Error ? error.message : String(error));
  }
  return { lines, ok };
}
