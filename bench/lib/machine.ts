/** The machine a benchmark ran on, in the words the report prints. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  nginx: string;
  gunicorn: string;
  wrk: string;
  /** 1-minute load average when the run started: how busy the shared machine was. */
  loadAverage: string;
}

function versionOf(command: string, args: string[]): string {
  try {
    // nginx and wrk print their version on stderr; execFileSync returns stdout only, so merge.
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split('\n')[0] ?? '';
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const stdout = (error as { stdout?: string }).stdout ?? '';
    return (stderr || stdout).trim().split('\n')[0] ?? 'unknown';
  }
}

/** Describe this machine (nproc, CPU model, memory, kernel, Node and the peers' versions). */
export function describeMachine(): Machine {
  const nginxOut = execFileSync('sh', ['-c', 'nginx -v 2>&1 || true'], { encoding: 'utf8' }).trim();
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    nginx: nginxOut.replace(/^nginx version: /, ''),
    gunicorn: versionOf('gunicorn', ['--version']),
    wrk: versionOf('wrk', ['-v']).split(' [')[0] ?? '',
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}
