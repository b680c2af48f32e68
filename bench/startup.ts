/**
 * Start-up time to healthy: spawn → first 200 from the readiness URL (the gateway's admin
 * /readyz, the first served page for the others), repeated and stopped each time.
 */
import type { Contender } from './contenders.ts';
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
