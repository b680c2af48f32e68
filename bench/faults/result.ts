/** What a fault scenario reports: the same shape for every target, so the doc can line them up. */
import { failures, type Tally } from './load.ts';

export interface ScenarioResult {
  scenario: string;
  target: string;
  /** The scenario's goal was met (zero failed requests, replaced in time…). */
  passed: boolean;
  /** Figures in words, for the table: "0 failed of 4,312; 15 kills". */
  summary: string;
  /** The raw load counters, when the scenario ran load. */
  tally?: Tally;
}

/** "1,234 sent, 0 failed" plus a breakdown of the failures, if any, and the retries (always, even 0). */
export function describeTally(t: Tally): string {
  const parts = [...Object.entries(t.statuses).map(([s, n]) => `${n}× HTTP ${s}`), ...Object.entries(t.errors).map(([e, n]) => `${n}× ${e}`)];
  return `${t.sent.toLocaleString('en')} sent, ${failures(t)} failed${parts.length ? ` (${parts.join(', ')})` : ''}, ${t.retried} keep-alive races retried once`;
}
