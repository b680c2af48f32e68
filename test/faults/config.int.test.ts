/**
 * The bad-config table (bench/faults/bad-config.ts): every entry, run as a real
 * `gateway --check-config`, exits 2 with a message naming the setting and the problem.
 */
import { describe, expect, test } from '@jest/globals';
import { BAD_CONFIGS, runBadConfig } from '../../bench/faults/bad-config.ts';

const label = (i: number): string => {
  const b = BAD_CONFIGS[i]!;
  return [...b.args, ...Object.entries(b.env ?? {}).map(([k, v]) => `${k}=${v}`), b.configFile ? `config file ${JSON.stringify(b.configFile.trim())}` : ''].join(' ').trim();
};

describe('gateway --check-config with bad values', () => {
  test.each(BAD_CONFIGS.map((b, i) => [label(i), i, b.message] as const))('%s → exit 2', async (_label, i, message) => {
    const r = await runBadConfig(BAD_CONFIGS[i]!, i);
    expect(r.output).toContain(message);
    expect(r.exitCode).toBe(2);
  }, 30_000);
});
