/**
 * `npm run pulumi -- <args>`: the Pulumi CLI with this project's pinned Node 24 first on PATH.
 * Pulumi's Node language host starts whichever `node` it finds; the program's .ts sources need
 * Node 24's type stripping, and machines often carry an older Node.
 *
 *   npm run pulumi -- stack init docker      # runs in run/stacks/docker: the salt lands there
 *   npm run pulumi -- up --stack docker      # adds --config-file run/stacks/docker/Pulumi.docker.yaml
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { which } from 'zx';
import { rewritePulumiArgs, stackCopy, syncStackCopy } from './stack-copy.ts';

const ROOT = join(import.meta.dirname, '..');
const pulumi = await which('pulumi', { nothrow: true });
if (!pulumi) {
  process.stderr.write('[pulumi] the Pulumi CLI is not installed; see docs/infra.md ("Prerequisites")\n');
  process.exit(1);
}
const env = { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
// Stacks with a tracked Pulumi.<stack>.yaml are created and run from a copy in run/stacks/, so the
// encryption salt `stack init` writes never dirties the tracked file (infra/stack-copy.ts).
const { args, sync } = rewritePulumiArgs(process.argv.slice(2), (stack) => existsSync(join(ROOT, `Pulumi.${stack}.yaml`)));
if (sync) syncStackCopy(ROOT, stackCopy(ROOT, sync));
const child = spawn(pulumi, args, { cwd: ROOT, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
