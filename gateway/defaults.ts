/**
 * The thin module that picks the gateway's default strategies (autoscaling policy, Prometheus
 * metrics, HTML status page, CPU budget) and hands them to the core, which imports none of them.
 */
import { renderStatusPage } from './admin/status-page.ts';
import { createAutoscalePlugin } from './autoscale/plugin.ts';
import { createMasterMetrics } from './metrics/master-metrics.ts';
import { createMetricsPlugin } from './metrics/plugin.ts';
import type { MasterExtras } from './master/run.ts';
import { defaultMaxWorkers } from './system/cpu-budget.ts';

export function defaultExtras(version: string): MasterExtras {
  const metrics = createMasterMetrics();
  // Rendered on the first request for it: most pools never serve the HTML page.
  let page: string | undefined;
  return {
    cpus: defaultMaxWorkers(),
    version,
    plugins: (current) => ({
      ...createAutoscalePlugin({ settings: () => current(), onDecision: (result) => metrics.recordDecision(result.decision) }),
      ...createMetricsPlugin(metrics),
    }),
    metrics: (status) => metrics.render(status),
    statusPage: () => (page ??= renderStatusPage()),
  };
}
