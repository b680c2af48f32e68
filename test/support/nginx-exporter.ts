/**
 * Debian's prometheus-nginx-exporter (0.11) as a child process, for the suites that read nginx's
 * metrics for real. A missing exporter fails with the install command, never a skip: `npm test`
 * installs it first (TEST_PACKAGES).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { findExecutable } from '../../scripts/lib/system-packages.ts';

export interface ExporterProcess {
  proc: ChildProcess;
  /** Its /metrics URL. */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the exporter with `args` (the stack spec's) and waits until its /metrics answers. */
export async function startNginxExporter(args: string[], port: number): Promise<ExporterProcess> {
  const bin = findExecutable('prometheus-nginx-exporter');
  if (!bin) throw new Error('prometheus-nginx-exporter is not installed: apt-get install -y prometheus-nginx-exporter (npm test does this as root or with sudo -n)');
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d));
  proc.stderr!.on('data', (d: Buffer) => (output += d));
  const url = `http://127.0.0.1:${port}/metrics`;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 100; i += 1) {
    if (await fetch(url).then((r) => r.ok, () => false)) return { proc, url, output: () => output, stop };
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`the nginx exporter did not answer on ${url}:\n${output}`);
}
