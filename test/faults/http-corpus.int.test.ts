/**
 * The raw-request corpus (test/http-corpus) against the real gateway, directly and through the
 * rendered nginx: every case gets its recorded answer, the app sees what it should and never what
 * it should not, and no client input makes the gateway log an error.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { runCorpusOn, type CorpusRun } from '../../bench/faults/corpus-scenarios.ts';
import { loadCorpus, sameOutcome, showOutcome } from '../../bench/faults/http-corpus.ts';

const cases = loadCorpus();
let run: CorpusRun;
beforeAll(async () => {
  run = await runCorpusOn(['gateway', 'nginx'], cases);
}, 120_000);

const answer = (target: 'gateway' | 'nginx', id: string) => run.answers[target]!.get(id)!;

test('the corpus holds valid and invalid cases, each named by its RFC section', () => {
  expect(cases.filter((c) => c.id.startsWith('valid/')).length).toBeGreaterThan(20);
  expect(cases.filter((c) => c.id.startsWith('invalid/')).length).toBeGreaterThan(40);
  for (const c of cases) expect(c.id).toMatch(/^(valid|invalid)\/\d{3}-(\d{4}-[\d.]+|limits)-[a-z0-9.-]+$/);
});

describe.each(['gateway', 'nginx'] as const)('%s', (target) => {
  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const got = answer(target, c.id);
    const shown = `${c.rfc}: ${c.why}\nexpected ${showOutcome(c.expect[target])}, got ${showOutcome(got.outcome)}\n${got.text.slice(0, 600)}`;
    expect({ same: sameOutcome(got.outcome, c.expect[target]), shown }).toEqual({ same: true, shown });
    for (const text of c.never ?? []) expect(got.text).not.toContain(text);
    if (target === 'gateway') for (const text of c.sees ?? []) expect(got.text).toContain(text);
  });
});

test('no request in the corpus gets a 500 from the gateway, or makes it log an error', () => {
  const fiveHundreds = cases.filter((c) => JSON.stringify(answer('gateway', c.id).outcome).includes('500'));
  expect(fiveHundreds.map((c) => c.id)).toEqual([]);
  expect(run.gatewayErrors).toEqual([]);
});
