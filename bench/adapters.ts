/**
 * Node → fetch adapter benchmark: raw node:http against @hono/node-server, srvx and
 * @whatwg-node/server (and our own gateway interface), one server process each, load from wrk.
 *
 *   npm run bench:adapters -- [--rounds 5] [--seconds 5] [--connections 50] [--kinds a,b,c] [--json FILE]
 *   (or node bench/adapters.ts … on Node 24)
 *
 * Rounds alternate the servers (A B C D A B C D …) so that drift in a noisy machine hits every
 * contender alike; each round's figure is divided by the baseline's figure of the same round, and
 * the report gives the median of those per-round ratios (and of the raw req/s). Beside throughput it
 * reports the server's CPU time per request (from /proc), the steadier figure on a shared machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureSystemPackages, findExecutable } from '../scripts/lib/system-packages.ts';
import { SERVER_KINDS, type ServerKind } from './lib/adapter-servers.ts';
import { runWrk, WRK_PACKAGE, type Workload, type WrkResult } from './lib/adapter-wrk.ts';

const BASELINE: ServerKind = 'node-http';
const DEFAULT_KINDS: ServerKind[] = ['node-http', 'hono-node-server', 'srvx', 'whatwg-node'];
const WORKLOADS: Workload[] = [
  { name: 'GET hello', path: '/', method: 'GET' },
  {
    name: 'POST JSON',
    path: '/echo',
    method: 'POST',
    body: JSON.stringify({ user: 'ada', items: [1, 2, 3, 4, 5], tags: ['a', 'b'], nested: { ok: true, n: 42 } }),
  },
];

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    kinds: { type: 'string', default: DEFAULT_KINDS.join(',') },
    json: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const kinds = values.kinds.split(',') as ServerKind[];
for (const kind of kinds) if (!(kind in SERVER_KINDS)) throw new Error(`unknown kind ${kind}`);
if (!kinds.includes(BASELINE)) kinds.unshift(BASELINE);

/** Server on CPU 0, wrk on CPU 1: on a 2-core machine the two never fight for one core. */
const pinned = cpus().length >= 2 && Boolean(findExecutable('taskset'));

function startServer(kind: ServerKind): Promise<{ child: ChildProcess; url: string }> {
  const node = process.execPath;
  const argv = [node, '--no-warnings', fileURLToPath(new URL('./lib/adapter-servers.ts', import.meta.url)), kind];
  const [command, ...args] = pinned ? ['taskset', '-c', '0', ...argv] : argv;
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
    child.stdout!.on('data', (data: Buffer) => {
      const port = /PORT (\d+)/.exec(data.toString())?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
  });
}

/**
 * CPU seconds (user + system) a process has used, from /proc. CPU per request is the figure that
 * holds up on a shared machine: other load steals wall time from the server, not its CPU cost.
 */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

await ensureSystemPackages([WRK_PACKAGE]);
// Other work on the machine shows up here: figures taken under load are ratios to trust, not rates.
const loadBefore = loadavg()[0]!.toFixed(2);
const servers = new Map<ServerKind, { child: ChildProcess; url: string }>();
for (const kind of kinds) servers.set(kind, await startServer(kind));
const results: Record<string, Record<string, Array<WrkResult & { cpuUsPerRequest: number }>>> = {};

try {
  const opts = { seconds, connections, ...(pinned ? { cpu: 1 } : {}) };
  console.error(`[bench] warm-up: ${kinds.length} servers × ${WORKLOADS.length} workloads, 2 s each`);
  for (const kind of kinds) for (const w of WORKLOADS) await runWrk(servers.get(kind)!.url, w, { ...opts, seconds: 2 });
  for (let round = 1; round <= rounds; round++) {
    for (const w of WORKLOADS) {
      for (const kind of kinds) {
        const { child, url } = servers.get(kind)!;
        const cpuBefore = cpuSeconds(child.pid!);
        const r = await runWrk(url, w, opts);
        const cpuUsPerRequest = ((cpuSeconds(child.pid!) - cpuBefore) * 1e6) / Math.max(1, r.requests);
        ((results[w.name] ??= {})[kind] ??= []).push({ ...r, cpuUsPerRequest });
        console.error(
          `[bench] round ${round} ${w.name} ${kind}: ${r.requestsPerSec.toFixed(0)} req/s, ` +
            `${cpuUsPerRequest.toFixed(1)} CPU µs/req, ${r.latencyMs.toFixed(2)} ms, errors ${r.errors}`,
        );
      }
    }
  }
} finally {
  for (const { child } of servers.values()) child.kill('SIGTERM');
}

const lines = [
  `node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}`,
  `wrk -t1 -c${connections} -d${seconds}s, ${rounds} rounds, ${pinned ? 'server on CPU 0, wrk on CPU 1' : 'not pinned'}`,
  `1-minute load average: ${loadBefore} before, ${loadavg()[0]!.toFixed(2)} after`,
  '',
  '| workload | server | median req/s | req/s ratio vs node:http | CPU µs/req | CPU cost ratio vs node:http | median latency ms | errors |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
];
for (const w of WORKLOADS) {
  const base = results[w.name]![BASELINE]!;
  for (const kind of kinds) {
    const runs = results[w.name]![kind]!;
    const ratios = runs.map((r, i) => r.requestsPerSec / base[i]!.requestsPerSec);
    const cpuRatios = runs.map((r, i) => r.cpuUsPerRequest / base[i]!.cpuUsPerRequest);
    const errors = runs.reduce((sum, r) => sum + r.errors, 0);
    lines.push(
      `| ${w.name} | ${kind} | ${median(runs.map((r) => r.requestsPerSec)).toFixed(0)} | ${median(ratios).toFixed(3)} | ` +
        `${median(runs.map((r) => r.cpuUsPerRequest)).toFixed(1)} | ${median(cpuRatios).toFixed(3)} | ` +
        `${median(runs.map((r) => r.latencyMs)).toFixed(2)} | ${errors} |`,
    );
  }
}
console.log(lines.join('\n'));
if (values.json) writeFileSync(values.json, JSON.stringify({ kinds, rounds, seconds, connections, results }, null, 2));
