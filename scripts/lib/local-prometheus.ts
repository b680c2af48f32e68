/**
 * `npm start -- --prometheus`: Debian's Prometheus beside the local stack, scraping both tiers (the
 * gateway's metrics listener, nginx's exporter) and evaluating infra/monitoring/alerts.yaml, so the
 * rules and the dashboard's queries meet live data. The exporter and Prometheus are tiers like the
 * others: own process group, labelled output, stopped with the stack, watched by the watchdog.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ALERTS_FILE } from '../../infra/monitoring.ts';
import type { StackSpec } from '../../infra/spec.ts';
import { NGINX_EXPORTER, PROMETHEUS, ensureSystemPackages, findExecutable } from './system-packages.ts';
import { startTier, type TierProcess } from './tier-process.ts';
import { waitForOk } from './wait-http.ts';

/** Short, so a fresh stack has rates to show within seconds; fine for one machine's two targets. */
export const LOCAL_SCRAPE_SECONDS = 5;
const BOOT_TIMEOUT_MS = 30_000;

/** prometheus.yml for `spec`: job `gateway` and job `nginx` (when the static tier exports), the alert rules. */
export function prometheusConfig(spec: StackSpec, rulesFile = ALERTS_FILE): string {
  const interval = `${LOCAL_SCRAPE_SECONDS}s`;
  const target = (port: number) => ({ static_configs: [{ targets: [`127.0.0.1:${port}`] }] });
  const gatewayPort = spec.gateway.metricsPort;
  if (gatewayPort === undefined) throw new Error('the gateway has no metrics listener: start the stack with tier metrics on');
  const exporter = spec.static.exporter;
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [rulesFile],
    scrape_configs: [
      { job_name: 'gateway', ...target(gatewayPort) },
      ...(exporter ? [{ job_name: 'nginx', ...target(exporter.port) }] : []),
    ],
  });
}

/** What the stack needs to start and stop the monitoring tiers. */
export interface MonitoringTiers {
  tiers: TierProcess[];
  url: string;
}

/**
 * Start the exporter (nginx must answer already: it stops at once when stub_status does not) and
 * Prometheus with its data in `<runDir>/prometheus`; `started` is called with each tier as it starts.
 */
export async function startMonitoring(spec: StackSpec, runDir: string, port: number, started: (tier: TierProcess) => void): Promise<MonitoringTiers> {
  const exporter = spec.static.exporter;
  await ensureSystemPackages(exporter ? [PROMETHEUS, NGINX_EXPORTER] : [PROMETHEUS]);
  const tiers: TierProcess[] = [];
  const exitedEarly = (tier: TierProcess) => () => (tier.child.exitCode !== null || tier.child.signalCode !== null ? `${tier.label} exited` : undefined);
  if (exporter) {
    const tier = startTier('exporter', findExecutable(NGINX_EXPORTER.bin)!, exporter.args);
    tiers.push(tier);
    started(tier);
    await waitForOk(`http://127.0.0.1:${exporter.port}/metrics`, { timeoutMs: BOOT_TIMEOUT_MS, gaveUp: exitedEarly(tier) });
  }
  const dir = join(runDir, 'prometheus');
  await mkdir(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(spec));
  const url = `http://127.0.0.1:${port}`;
  const prometheus = startTier('prometheus', findExecutable(PROMETHEUS.bin)!, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  tiers.push(prometheus);
  started(prometheus);
  await waitForOk(`${url}/-/ready`, { timeoutMs: BOOT_TIMEOUT_MS, gaveUp: exitedEarly(prometheus) });
  return { tiers, url };
}
