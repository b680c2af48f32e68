/**
 * The local target's gateway process, started from the spec's launch description like the Docker
 * and Kubernetes targets: `node dist/gateway/cli.js <app>` in the project folder, its settings in the
 * `GATEWAY_<NAME>` variables. Those variables override any the user's shell happens to export,
 * as they do in a container.
 */
import { join } from 'node:path';
import { GATEWAY_ENTRY } from '../../infra/gateway-launch.ts';
import type { StackSpec } from '../../infra/spec.ts';

/** A process to start: command, arguments, working folder and environment. */
export interface LocalCommand {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** How `npm start` starts the (single) gateway of a local spec, from the project folder `root`. */
export function localGatewayCommand(spec: StackSpec, root: string, env: NodeJS.ProcessEnv = process.env): LocalCommand {
  const { launch } = spec.gateway.instances[0]!;
  return { command: process.execPath, args: [join(root, GATEWAY_ENTRY), ...launch.args], cwd: root, env: { ...env, ...launch.env } };
}
