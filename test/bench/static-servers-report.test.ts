/**
 * The table of `npm run bench:static-servers`: ratios are taken round by round against nginx (so a
 * slow minute of the shared machine cancels), the A/A twin's beside them, RSS in MiB, errors summed.
 */
import { staticServersReport, type TierRun } from '../../bench/static-servers-report.ts';
import type { LoadResult } from '../../bench/lib/wrk.ts';

const MiB = 2 ** 20;
const result = (rps: number, p99Ms: number, errors = 0): LoadResult =>
  ({ requests: rps * 5, rps, p50Ms: p99Ms / 4, p99Ms, errors, rssLoadBytes: 20 * MiB, cpuUsPerRequest: 1e6 / rps });
const context = {
  rounds: 3, durationS: 5, connections: 32, warmupS: 1, workerProcesses: 2, startedAt: new Date('2026-12-03T14:00:00Z'),
  load: '1.00 1.00 1.00', apacheVersion: 'Apache/2.4', nginxVersion: 'nginx/1.22', reference: 'nginx', twin: 'twin',
};

test('ratios are medians of per-round ratios against nginx, not ratios of medians', () => {
  // Round 2 is a slow minute for nginx: the ratio of the medians (300 / 1000) would say 0.3.
  const runs: TierRun[] = [
    { tier: 'nginx', case: 'static', rounds: [result(1000, 10), result(200, 50), result(1200, 8)], idleRssBytes: [24 * MiB] },
    { tier: 'apache', case: 'static', rounds: [result(500, 20, 1), result(150, 100, 2), result(300, 16)], idleRssBytes: [16 * MiB, 15 * MiB] },
    { tier: 'twin', case: 'static', rounds: [result(1000, 10), result(200, 50), result(1200, 8)], idleRssBytes: [24 * MiB] },
  ];
  const table = staticServersReport(runs, context).split('\n');
  expect(table.find((l) => l.startsWith('| static | nginx |'))).toBe('| static | nginx | 1,000 | 1.000 | 10.00 | 1.000 | 1,000.0 | 1.000 | 24.0 | 20.0 | 0 |');
  expect(table.find((l) => l.startsWith('| static | apache |')))
    .toBe('| static | apache | 300 | 0.500 (0.25–0.75) | 20.00 | 2.000 (2.00–2.00) | 3,333.3 | 2.000 (1.33–4.00) | 15.5 | 20.0 | 3 |');
  expect(table.find((l) => l.startsWith('| static | twin |'))).toContain('| 1.000 (1.00–1.00) |');
  expect(table.join('\n')).toContain('flock /tmp/heavy.lock npm run bench:static-servers -- --rounds 3 --duration 5 --connections 32 --warmup 1');
});
