/**
 * /metrics from a real gateway: request counts summed over real workers, and still there after a
 * worker is SIGKILLed (the crash is counted, the pool's request counter does not drop).
 */
import { load, settled, startGateway, fixture, type GatewayProcess } from '../integration/gateway-process.ts';
import { parsePrometheus, sampleValue } from './parse-prometheus.ts';

async function scrape(gw: GatewayProcess) {
  const response = await fetch(`${gw.admin}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

/** Polls /metrics until `check` holds (heartbeats bring worker counts once a second). */
async function waitForMetrics(gw: GatewayProcess, check: (m: ReturnType<typeof parsePrometheus>) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const families = await scrape(gw);
    if (check(families)) return families;
    if (Date.now() > deadline) throw new Error(`metrics condition not met; last:\n${[...families.values()].map((f) => JSON.stringify(f.samples)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ok = (m: ReturnType<typeof parsePrometheus>) => sampleValue(m, 'gateway_requests_total', { class: '2xx' }) ?? NaN;

describe('metrics of a real pool', () => {
  let gw: GatewayProcess;
  afterAll(async () => {
    await gw?.stop();
  });

  test('counts every request across workers and keeps the counts of a worker killed with SIGKILL', async () => {
    gw = await startGateway([fixture('gateway/ops-app.ts'), '--workers', '2', '--no-access-log']);
    await gw.waitFor(settled);
    const first = await load(`${gw.url}/`, 40, 4);
    expect(first.ok).toBe(40);
    const before = await waitForMetrics(gw, (m) => ok(m) === 40);
    expect(sampleValue(before, 'gateway_request_duration_seconds_count')).toBe(40);
    expect(sampleValue(before, 'gateway_workers', { state: 'ready' })).toBe(2);

    const victim = (await gw.status()).workers[0]!;
    process.kill(victim.pid, 'SIGKILL');
    await gw.waitFor((s) => settled(s) && s.workers.every((w) => w.pid !== victim.pid));
    const after = await scrape(gw);
    expect(ok(after)).toBe(40);
    expect(sampleValue(after, 'gateway_worker_exits_total', { cause: 'crash' })).toBe(1);

    const second = await load(`${gw.url}/`, 10, 2);
    expect(second.ok).toBe(10);
    await waitForMetrics(gw, (m) => ok(m) === 50);
  });
});
