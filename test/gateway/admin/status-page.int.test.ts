/**
 * The status page in a real browser (Debian's chromium through playwright-core): the rows appear from
 * the polled JSON, follow changes within a couple of seconds, and the page makes no request other
 * than its own URL. Needs chromium; `npm test` installs it, and the test fails without it.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import type { PoolStatus } from '../../../gateway/protocol.ts';
import { fixture, settled, startGateway, type GatewayProcess } from '../integration/gateway-process.ts';
import { cannedStatus, startStatusServer } from './status-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('status page in headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  let status: PoolStatus = cannedStatus(Date.now());

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (npm test does this)`);
    ({ server, url } = await startStatusServer(() => status));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  test('shows one row per worker and the pool summary, then follows a change live', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('tr[data-worker]');
    expect(await page.locator('tr[data-worker]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.worker))).toEqual(['7', '8', '9', '11']);
    expect(await page.textContent('#serving')).toBe('2 / 3');
    expect(await page.textContent('#restarts')).toBe('7 (crash 2, recycle 5)');
    expect(await page.getAttribute('tr[data-worker="9"]', 'class')).toBe('stale');
    expect(await page.textContent('tr[data-worker="7"] .state')).toBe('ready');

    // The master drains and a worker goes away: the page shows it without a reload.
    status = { ...status, draining: true, workers: status.workers.filter((w) => w.id !== 8) };
    await page.waitForFunction(() => document.querySelectorAll('tr[data-worker]').length === 3, undefined, { timeout: 5000 });
    expect(await page.textContent('#draining')).toBe('yes');

    expect(errors).toEqual([]);
    const origin = new URL(url).origin;
    expect(requests.filter((r) => !r.startsWith(origin))).toEqual([]);
    await page.close();
  });

  test('served by a real gateway: one row per real worker, with their pids', async () => {
    let gw: GatewayProcess | undefined;
    try {
      gw = await startGateway([fixture('gateway/ops-app.ts'), '--workers', '2', '--no-access-log']);
      const status = await gw.waitFor(settled);
      const page = await browser.newPage();
      await page.goto(`${gw.admin}/status`);
      await page.waitForFunction(() => document.querySelectorAll('tr[data-worker]').length === 2, undefined, { timeout: 10_000 });
      const pids = await page.locator('tr[data-worker] td:nth-child(2)').allTextContents();
      expect(pids.sort()).toEqual(status.workers.map((w) => String(w.pid)).sort());
      expect(await page.textContent('#serving')).toBe('2 / 2');
      expect(await page.textContent('#bounds')).toBe('fixed 2');
      if (process.env.STATUS_SCREENSHOT) await page.screenshot({ path: process.env.STATUS_SCREENSHOT });
      await page.close();
    } finally {
      await gw?.stop();
    }
  });

  test('says so when the gateway stops answering', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector('tr[data-worker]');
    await page.route('**/status?format=json', (route) => route.fulfill({ status: 503, body: '{}' }));
    await page.waitForSelector('#link.down', { timeout: 5000 });
    expect(await page.textContent('#link')).toContain('HTTP 503');
    await page.close();
  });
});
