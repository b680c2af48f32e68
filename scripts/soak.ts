/**
 * `npm run soak`: ten minutes (by default) of GET and POST traffic through the rendered nginx into
 * the gateway, with workers recycling every ~1,000 requests. Passes when no request failed and
 * the RSS of the gateway's process tree stayed bounded: its median over the second half is within
 * 25 % of its median over the first half (medians, because while a recycled worker's replacement
 * boots the tree briefly holds one worker more, which is the design, not a leak). Not part of CI: writes the `soak` block of
 * docs/reliability.md.
 *
 *   npm run soak -- [--minutes 10] [--concurrency 16] [--max-requests 1000] [--dry-run]
 */
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { argv } from 'zx';
import { ROOT, RUN_DIR } from '../bench/contenders.ts';
import { failures, startLoad } from '../bench/faults/load.ts';
import { describeTally } from '../bench/faults/result.ts';
import { startFaultTarget } from '../bench/faults/targets.ts';
import { writeBlock } from '../bench/lib/doc-block.ts';
import { startNginxFront } from '../bench/lib/nginx.ts';
import { treeRss } from '../bench/lib/proc-tree.ts';
import { median } from '../bench/lib/stats.ts';
import { NGINX, ensureSystemPackages } from './lib/system-packages.ts';

const minutes = Number(argv.minutes ?? 10);
const concurrency = Number(argv.concurrency ?? 16);
const maxRequests = Number(argv['max-requests'] ?? 1000);
console.log(`[soak] plan: ${minutes} min, ${concurrency} clients through nginx, gateway with 2 workers recycling every ${maxRequests} (+0..100) requests`);
if (argv['dry-run']) process.exit(0);
await ensureSystemPackages([NGINX]);

const MiB = 2 ** 20;
const target = await startFaultTarget('gateway', { maxRequests, extraArgs: ['--max-requests-jitter', '100'] });
const front = await startNginxFront('soak', target.port, resolve(RUN_DIR, 'soak'));
let passed = false;
let report = '';
try {
  const durationMs = minutes * 60_000;
  const gets = startLoad({ url: `http://127.0.0.1:${front.port}/`, concurrency: concurrency - 2, maxDurationMs: durationMs });
  const posts = startLoad({ url: `http://127.0.0.1:${front.port}/`, method: 'POST', body: '{"soak":true}', concurrency: 2, maxDurationMs: durationMs });
  const samples: { at: number; rss: number }[] = [];
  const started = Date.now();
  while (Date.now() - started < durationMs) {
    samples.push({ at: Date.now() - started, rss: treeRss(target.server.pid) });
    const minute = Math.floor((Date.now() - started) / 60_000);
    if (samples.length % 12 === 0) {
      console.log(`[soak] ${minute} min: ${gets.tally.sent + posts.tally.sent} requests, ${failures(gets.tally) + failures(posts.tally)} failed, RSS ${(samples.at(-1)!.rss / MiB).toFixed(0)} MiB`);
    }
    await sleep(5000);
  }
  const [g, p] = await Promise.all([gets.done, posts.done]);
  const status = await target.status();
  const half = durationMs / 2;
  const mid = (xs: typeof samples): number => median(xs.map((s) => s.rss));
  const firstHalf = mid(samples.filter((s) => s.at < half));
  const secondHalf = mid(samples.filter((s) => s.at >= half));
  const bounded = secondHalf <= firstHalf * 1.25;
  passed = failures(g) + failures(p) === 0 && bounded && g.ok > 0;
  report = [
    `Run on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}: \`npm run soak -- ${process.argv.slice(2).join(' ')}\` — ${minutes} min through nginx, gateway with 2 workers, ` +
      `\`--max-requests ${maxRequests} --max-requests-jitter 100\`.`,
    '',
    '| figure | value |',
    '|---|---|',
    `| GET / | ${describeTally(g)} |`,
    `| POST / (JSON) | ${describeTally(p)} |`,
    `| workers recycled (/status) | ${status?.restarts.recycle ?? 0} |`,
    `| RSS of the gateway tree (sampled every 5 s): median of the first / second half | ${(firstHalf / MiB).toFixed(0)} MiB / ${(secondHalf / MiB).toFixed(0)} MiB |`,
    `| RSS min–max over the run | ${(Math.min(...samples.map((s) => s.rss)) / MiB).toFixed(0)}–${(Math.max(...samples.map((s) => s.rss)) / MiB).toFixed(0)} MiB |`,
    `| result | ${passed ? '✅ zero failed requests, RSS bounded' : '❌ see the figures'} |`,
  ].join('\n');
} finally {
  await front.server.stop();
  await target.server.stop();
}
writeBlock(resolve(ROOT, 'docs', 'reliability.md'), 'soak', `### Soak\n\n${report}`, '# Reliability\n');
console.log(`[soak] ${passed ? 'pass' : 'FAIL'}\n${report}`);
process.exit(passed ? 0 : 1);
