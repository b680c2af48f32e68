/**
 * Start-up time to healthy: spawn → first 200 from the readiness URL (the gateway's admin
 * /readyz, the first served page for the others), repeated and stopped each time.
 */
import { resolve } from 'node:path';
import { ROOT, RUN_DIR, type Contender } from './contenders.ts';
import type { StartupFigure } from './report.ts';
import { freePorts } from './lib/ports.ts';
import { startServer } from './lib/server.ts';

/** `runs` cold starts of each contender with `workers` workers, in alternating order. */
export async function measureStartups(runs: number, workers: number, contenders: Contender[]): Promise<StartupFigure[]> {
  const figures = contenders.map((c) => ({ what: `${c.name} alone, ${workers} workers`, command: c.describe, runs: [] as number[] }));
  for (let run = 0; run < runs; run++) {
    for (const [i, contender] of contenders.entries()) {
      const [port, adminPort] = await freePorts(2);
      const server = await startServer(contender.spec({ port: port!, adminPort: adminPort! }, workers));
      figures[i]!.runs.push(server.startupMs);
      await server.stop();
    }
  }
  return figures;
}

/**
 * `runs` cold starts of the whole local stack exactly as a user types it (`npm start`, bootstrap
 * check and app build included), until the site answers 200 through nginx → gateway → app.
 */
export async function measureStackStartups(runs: number, workers: number): Promise<StartupFigure> {
  const figure: StartupFigure = { what: `npm start (nginx + gateway, ${workers} workers)`, command: `npm start -- --min-workers ${workers} --max-workers ${workers}`, runs: [] };
  for (let run = 0; run < runs; run++) {
    const [site, gateway, admin] = (await freePorts(3)) as [number, number, number];
    const server = await startServer({
      name: 'npm-start',
      command: 'npm',
      args: [
        'start', '--',
        '--site-port', String(site), '--gateway-port', String(gateway), '--admin-port', String(admin),
        '--min-workers', String(workers), '--max-workers', String(workers),
        '--run-dir', resolve(RUN_DIR, `stack-${site}`),
      ],
      cwd: ROOT,
      readyUrl: `http://127.0.0.1:${site}/`,
      logFile: resolve(RUN_DIR, 'logs', 'npm-start.log'),
      readyTimeoutMs: 120_000,
    });
    figure.runs.push(server.startupMs);
    await server.stop('SIGTERM', 20_000);
  }
  return figure;
}
