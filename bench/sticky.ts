/**
 * `npm run bench:sticky`: what the sticky listen strategy (socket.io long-polling on several
 * workers) costs ordinary requests, against the default shared socket, with an A/A control (a second
 * shared gateway measured exactly like the first, so the noise of this machine shows beside the
 * difference). Fresh gateways every round, in an order that rotates each round (bench/lib/rounds.ts
 * says why); 2 workers, a hello-world app, access log off.
 *   - keep-alive: wrk, 32 connections: the master reads and hands over each connection once;
 *   - fresh connections: 8 loops of `Connection: close` requests (nginx's upstream pool reopens
 *     connections, and the socket.io path uses one a request): every request pays the handoff.
 *
 *   npm run bench:sticky -- [--rounds 5] [--duration 5]
 */
import { request } from 'node:http';
import { argv } from 'zx';
import { median } from './lib/stats.ts';
import { runLoad } from './lib/wrk.ts';
import { fixture, settled, startGateway } from './lib/gateway-process.ts';

const ROUNDS = Number(argv.rounds ?? 5);
const DURATION_S = Number(argv.duration ?? 5);
const CONTENDERS = [
  { name: 'shared', strategy: 'shared' },
  { name: 'shared (A/A twin)', strategy: 'shared' },
  { name: 'sticky', strategy: 'sticky' },
] as const;

/** Requests/s of 8 loops of one-request connections for `ms`. */
async function freshConnections(url: string, ms: number): Promise<{ rps: number; errors: number }> {
  let ok = 0;
  let errors = 0;
  const until = performance.now() + ms;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(url, { agent: false, headers: { connection: 'close' }, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok += 1;
          else errors += 1;
          resolve();
        });
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end();
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() < until) await one();
  }));
  return { rps: ok / ((performance.now() - started) / 1000), errors };
}

type Row = { keepAlive: number; keepAliveP99: number; fresh: number; errors: number };
const results = new Map<string, Row[]>(CONTENDERS.map((c) => [c.name, []]));

for (let round = 0; round < ROUNDS; round += 1) {
  for (let k = 0; k < CONTENDERS.length; k += 1) {
    const contender = CONTENDERS[(k + round) % CONTENDERS.length]!;
    const gw = await startGateway([fixture('gateway/ops-app.ts'), '--workers', '2', '--listen-strategy', contender.strategy, '--no-access-log']);
    try {
      await gw.waitFor(settled, 60_000);
      await runLoad({ url: `${gw.url}/`, connections: 32, durationS: 1 }); // warm-up
      const load = await runLoad({ url: `${gw.url}/`, connections: 32, durationS: DURATION_S }, gw.proc.pid);
      const fresh = await freshConnections(`${gw.url}/`, DURATION_S * 1000);
      const row = { keepAlive: load.rps, keepAliveP99: load.p99Ms, fresh: fresh.rps, errors: load.errors + fresh.errors };
      results.get(contender.name)!.push(row);
      console.log(`round ${round + 1} ${contender.name}: ${JSON.stringify(row)}`);
    } finally {
      await gw.stop();
    }
  }
}

const base = results.get('shared')!;
const paired = (rows: Row[], key: 'keepAlive' | 'fresh') => median(rows.map((r, i) => r[key] / base[i]![key]));
console.log(`\n| contender | keep-alive req/s (median) | ratio to shared (paired median) | p99 ms | fresh-connection req/s | ratio to shared | errors |`);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const { name } of CONTENDERS) {
  const rows = results.get(name)!;
  const med = (key: keyof Row) => median(rows.map((r) => r[key]));
  console.log(`| ${name} | ${med('keepAlive').toFixed(0)} | ${paired(rows, 'keepAlive').toFixed(3)} | ${med('keepAliveP99').toFixed(1)} | ${med('fresh').toFixed(0)} | ${paired(rows, 'fresh').toFixed(3)} | ${rows.reduce((a, r) => a + r.errors, 0)} |`);
}
process.exit(0);
