/**
 * The queries of the dashboard and the alert rules, and the metric names each one reads, so a test
 * can hold them against what a real gateway's /metrics serves. Metric names come from a small
 * reading of PromQL: strings, label matchers, ranges and grouping clauses are dropped, then every
 * identifier that is not a function call or a keyword is a metric name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const MONITORING = join(import.meta.dirname, '..', '..', 'infra', 'monitoring');
export const DASHBOARD_FILE = join(MONITORING, 'dashboard.json');
export const ALERTS_FILE = join(MONITORING, 'alerts.yaml');

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);

/** Metric names an expression reads. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = [...bare.matchAll(/(?<![\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()/g)].map((m) => m[1]!);
  return [...new Set(names.filter((name) => !KEYWORDS.has(name.toLowerCase())))];
}

/** One query with where it comes from, for messages. */
export interface NamedQuery {
  where: string;
  expr: string;
}

interface Panel { title: string; type: string; targets?: { refId: string; expr: string }[] }

/** Every panel target and template variable query of the Grafana dashboard. */
export function dashboardQueries(file = DASHBOARD_FILE): NamedQuery[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels: Panel[]; templating: { list: { name: string; type: string; definition?: string }[] } };
  const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })));
  // label_values(<series selector>, <label>): the selector is the query that must match something.
  const variables = dashboard.templating.list.filter((v) => v.type === 'query').map((v) => ({
    where: `variable $${v.name}`,
    expr: /^label_values\((.*),\s*[a-zA-Z_]\w*\)$/.exec(v.definition ?? '')?.[1] ?? `unparsed(${v.definition})`,
  }));
  return [...targets, ...variables];
}

/** Every alert expression of the rules file. */
export function alertQueries(file = ALERTS_FILE): NamedQuery[] {
  const groups = (parse(readFileSync(file, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups;
  return groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })));
}

/** Grafana's variables replaced by values PromQL accepts, for checking a panel query with promtool. */
export function withoutGrafanaVariables(expr: string): string {
  // Every selector variable ($job, $instance, $nginx_job, $nginx_instance) means "All".
  return expr.replaceAll('$__rate_interval', '5m').replace(/\$[a-z_]+\b/g, '.*');
}
