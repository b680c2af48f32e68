/**
 * The raw-request corpus as a table for docs/reliability.md: the gateway's answer against its
 * contract (and what it answered before issue 18, where that differs), nginx in front of it, and
 * Debian's gunicorn beside them.
 */
import { sameOutcome, showOutcome, type CorpusAnswer, type CorpusCase, type CorpusTarget } from './http-corpus.ts';
import type { CorpusRun } from './corpus-scenarios.ts';

function cell(c: CorpusCase, target: CorpusTarget, got: CorpusAnswer | undefined): string {
  if (!got) return '—';
  const expected = c.expect[target];
  if (sameOutcome(got.outcome, expected)) return `✅ ${showOutcome(got.outcome)}`;
  // gunicorn's column is a record, not a contract: a change is news, not a failure.
  return `${target === 'gunicorn' ? '≠' : '❌'} ${showOutcome(got.outcome)} (recorded ${showOutcome(expected)})`;
}

/** Cases whose gateway or nginx answer differs from the corpus. */
export function corpusFailures(run: CorpusRun): string[] {
  return run.cases
    .filter((c) => (['gateway', 'nginx'] as const).some((t) => run.answers[t] && !sameOutcome(run.answers[t].get(c.id)!.outcome, c.expect[t])))
    .map((c) => c.id);
}

/** Markdown lines for the generated block. */
export function corpusTable(run: CorpusRun): string[] {
  const lines = [
    `${run.cases.length} cases from \`test/http-corpus\`, each on a new connection, against the gateway (the echo apps, \`--max-body-size 1024\`), the rendered nginx in front of it, and gunicorn (sync, \`bench/peers/echo_wsgi.py\`, default limits). ` +
      `✅ = the answer recorded in the case; for gunicorn ≠ marks a change from the recorded answer. Gateway error-level log lines during the run: ${run.gatewayErrors.length}.`,
    '',
    '| case | rule | gateway | through nginx | gunicorn |',
    '|---|---|---|---|---|',
  ];
  for (const c of run.cases) {
    const gateway = cell(c, 'gateway', run.answers.gateway?.get(c.id)) + (c.before === undefined ? '' : ` (was ${showOutcome(c.before)})`);
    lines.push(`| \`${c.id}\` | ${c.rfc} | ${gateway} | ${cell(c, 'nginx', run.answers.nginx?.get(c.id))} | ${cell(c, 'gunicorn', run.answers.gunicorn?.get(c.id))} |`);
  }
  return lines;
}
