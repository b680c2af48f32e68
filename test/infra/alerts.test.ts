/**
 * The alert rules (infra/monitoring/alerts.yaml) pass `promtool check rules` and their unit tests
 * (`promtool test rules`, alerts.test.yaml), every alert has series that fire it, and the harness
 * can fail: the same tests against rules with a changed threshold or a renamed metric do not pass.
 * promtool comes from Debian's `prometheus` package, installed by `npm test` (TEST_PACKAGES); a
 * missing promtool fails here with the install command, never a skip (test/support/promtool.ts).
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { runPromtool } from '../support/promtool.ts';

const DIR = join(import.meta.dirname, '..', '..', 'infra', 'monitoring');
const ALERTS = ['GatewayWorkerCrashLoop', 'GatewayPoolBelowTarget', 'GatewayHigh5xxRatio', 'GatewayHighLatencyP99', 'GatewayAutoscalerPinnedAtMax'];

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'kit-alerts-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The unit tests run against a copy of the rules changed by `edit`. */
async function testEditedRules(edit: (rules: string) => string): Promise<{ ok: boolean; output: string }> {
  const rules = await readFile(join(DIR, 'alerts.yaml'), 'utf8');
  const edited = edit(rules);
  expect(edited).not.toBe(rules);
  await writeFile(join(scratch, 'alerts.yaml'), edited);
  await copyFile(join(DIR, 'alerts.test.yaml'), join(scratch, 'alerts.test.yaml'));
  return runPromtool(['test', 'rules', 'alerts.test.yaml'], scratch);
}

describe('alert rules', () => {
  test('promtool check rules: valid, and exactly the five alerts', async () => {
    const { ok, output } = await runPromtool(['check', 'rules', 'alerts.yaml'], DIR);
    expect(output).toContain('SUCCESS: 5 rules found');
    expect(ok).toBe(true);
    const groups = parse(await readFile(join(DIR, 'alerts.yaml'), 'utf8')).groups as { rules: { alert: string }[] }[];
    expect(groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(ALERTS);
  });

  test('promtool test rules: every case passes', async () => {
    const { ok, output } = await runPromtool(['test', 'rules', 'alerts.test.yaml'], DIR);
    expect(output).toContain('SUCCESS');
    expect(ok).toBe(true);
  });

  test('every alert has an evaluation where it fires and one where it stays silent', async () => {
    const cases = parse(await readFile(join(DIR, 'alerts.test.yaml'), 'utf8')).tests as
      { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    const evals = cases.flatMap((c) => c.alert_rule_test);
    for (const alert of ALERTS) {
      const mine = evals.filter((e) => e.alertname === alert);
      expect([alert, mine.some((e) => e.exp_alerts.length > 0)]).toEqual([alert, true]);
      expect([alert, mine.some((e) => e.exp_alerts.length === 0)]).toEqual([alert, true]);
    }
  });

  test.each([
    ['a 5xx threshold of 50%', (r: string) => r.replace('> 0.05', '> 0.5'), /GatewayHigh5xxRatio/],
    ['a crash loop at 10 exits', (r: string) => r.replace('>= 3', '>= 10'), /GatewayWorkerCrashLoop/],
    ['the draining exception dropped', (r: string) => r.replace(/ unless ignoring \(state\) gateway_draining == 1/, ''), /GatewayPoolBelowTarget/],
    ['a misspelt metric', (r: string) => r.replaceAll('gateway_workers_max', 'gateway_max_workers'), /GatewayAutoscalerPinnedAtMax/],
    ['p99 over 5 s', (r: string) => r.replace(/\) > 1$/m, ') > 5'), /GatewayHighLatencyP99/],
  ])('the unit tests catch %s', async (_, edit, failing) => {
    const { ok, output } = await testEditedRules(edit);
    expect(ok).toBe(false);
    expect(output).toMatch(failing);
  });
});
