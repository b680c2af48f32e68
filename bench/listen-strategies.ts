/**
 * `npm run bench:listen`: how connections should reach workers. For each listen strategy
 * (round-robin, shared socket, reuse-port), in alternating rounds on the same machine:
 *   - throughput and p99 with wrk over keep-alive connections;
 *   - balance: the busiest worker's share of the requests;
 *   - connections lost when a worker is SIGKILLed, and when all workers are retired (HUP), under a
 *     load of fresh connections (nginx opens new ones all the time), each request bounded by a timeout
 *     so a connection that hangs forever is counted, not waited for.
 * Writes docs/listen-strategies.md.
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { median } from './lib/stats.ts';
import { runLoad } from './lib/wrk.ts';
import { fixture, settled, sleep, startGateway } from './lib/gateway-process.ts';

const STRATEGIES = ['round-robin', 'shared', 'reuse-port'] as const;
type Strategy = (typeof STRATEGIES)[number];
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const WORKERS = 2;

interface Round {
  rps: number;
  p99Ms: number;
  busiestShare: number;
  killLost: number;
  killHung: number;
  retireLost: number;
  retireHung: number;
}

/** Fresh-connection requests at a fixed concurrency for `ms`; counts errors and hangs. */
async function freshConnections(url: string, ms: number, during: () => Promise<void>): Promise<{ ok: number; lost: number; hung: number }> {
  const counts = { ok: 0, lost: 0, hung: 0 };
  const until = Date.now() + ms;
  const one = () =>
    new Promise<void>((resolve) => {
      let timedOut = false;
      const req = request(url, { agent: false, headers: { connection: 'close' }, timeout: 3000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) counts.ok += 1;
          else counts.lost += 1;
          resolve();
        });
      });
      req.on('timeout', () => {
        timedOut = true;
        counts.hung += 1;
        req.destroy();
      });
      req.on('error', () => {
        if (!timedOut) counts.lost += 1;
        resolve();
      });
      req.end();
    });
  const loop = async () => {
    while (Date.now() < until) await one();
  };
  await Promise.all([...Array.from({ length: 8 }, loop), during()]);
  return counts;
}

async function measure(strategy: Strategy): Promise<Round> {
  const gw = await startGateway([fixture('gateway/ops-app.ts'), '--workers', String(WORKERS), '--listen-strategy', strategy, '--no-access-log']);
  try {
    await gw.waitFor(settled);
    const load = await runLoad({ url: `${gw.url}/`, connections: 32, durationS: 5 }, gw.proc.pid);
    const shares = (await gw.status()).workers.map((w) => w.requests);
    const busiestShare = Math.max(...shares) / shares.reduce((a, b) => a + b, 0);
    const kill = await freshConnections(`${gw.url}/sleep?ms=5`, 3000, async () => {
      await sleep(1000);
      process.kill((await gw.status()).workers[0]!.pid, 'SIGKILL');
    });
    await gw.waitFor(settled);
    const retire = await freshConnections(`${gw.url}/sleep?ms=5`, 5000, async () => {
      await sleep(500);
      gw.proc.kill('SIGHUP');
    });
    return {
      rps: load.rps, p99Ms: load.p99Ms, busiestShare,
      killLost: kill.lost, killHung: kill.hung, retireLost: retire.lost, retireHung: retire.hung,
    };
  } finally {
    await gw.stop();
  }
}

const results: Record<Strategy, Round[]> = { 'round-robin': [], shared: [], 'reuse-port': [] };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? STRATEGIES : [...STRATEGIES].reverse();
  for (const strategy of order) {
    const r = await measure(strategy);
    results[strategy].push(r);
    console.log(`round ${round + 1} ${strategy}: ${JSON.stringify(r)}`);
  }
}

const med = (s: Strategy, k: keyof Round) => median(results[s].map((r) => r[k]));
const sum = (s: Strategy, k: keyof Round) => results[s].reduce((a, r) => a + r[k], 0);
const base = results['round-robin'];
const ratio = (s: Strategy) => median(results[s].map((r, i) => r.rps / base[i]!.rps));
const rows = STRATEGIES.map(
  (s) =>
    `| ${s} | ${med(s, 'rps').toFixed(0)} | ${ratio(s).toFixed(3)} | ${med(s, 'p99Ms').toFixed(1)} | ${(med(s, 'busiestShare') * 100).toFixed(0)} % | ${sum(s, 'killLost')} / ${sum(s, 'killHung')} | ${sum(s, 'retireLost')} / ${sum(s, 'retireHung')} |`,
);
const doc = `# Listen strategies: measured

How connections reach the workers, measured by \`npm run bench:listen\` (bench/listen-strategies.ts)
on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
Node ${process.version}; ${WORKERS} workers, hello-world fetch app, access log off; ${ROUNDS} rounds in alternating order.

| strategy | req/s (median) | ratio to round-robin (paired) | p99 ms | busiest worker's share | lost / hung on SIGKILL (sum) | lost / hung on HUP retire (sum) |
|---|---|---|---|---|---|---|
${rows.join('\n')}

- Throughput: wrk, 32 keep-alive connections, 5 s, one thread, on loopback.
- Balance: the share of all requests answered by the busiest worker (50 % is perfect for 2 workers).
- Lost / hung: 8 loops of fresh connections (\`Connection: close\`) for 3 s (SIGKILL of one worker after 1 s) and
  for 5 s (HUP after 0.5 s); *lost* = an error or non-200, *hung* = no answer within 3 s.

Raw rounds:

\`\`\`
${STRATEGIES.map((s) => `${s}: ${JSON.stringify(results[s])}`).join('\n')}
\`\`\`
`;
writeFileSync(new URL('../docs/listen-strategies-measured.md', import.meta.url), doc);
console.log(doc);
