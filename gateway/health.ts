/**
 * `gateway health`: asks the admin listener whether the gateway is live (or ready) and exits
 * 0 or 5, so container health checks need no curl in the image.
 */
import { parseArgs } from 'node:util';
import { ExitCode, GatewayError } from './errors.ts';
import { defaultOf, envOf } from './settings/registry.ts';

export async function runHealth(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'admin-bind': { type: 'string' }, ready: { type: 'boolean' }, timeout: { type: 'string' } },
    strict: true,
  });
  const address = values['admin-bind'] ?? env[envOf('adminBind')] ?? String(defaultOf('adminBind'));
  const path = values.ready ? '/readyz' : '/healthz';
  const timeoutMs = Number(values.timeout ?? 3) * 1000;
  const host = address.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:');
  try {
    const response = await fetch(`http://${host}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (response.ok) {
      process.stdout.write(`${path}: ${body}\n`);
      return ExitCode.OK;
    }
    process.stderr.write(`gateway health: ${path} answered ${response.status}: ${body}\n`);
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    process.stderr.write(`gateway health: ${new GatewayError('UNHEALTHY', `${host}${path}: ${reason}`).message}\n`);
  }
  return ExitCode.UNHEALTHY;
}
