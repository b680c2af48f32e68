/**
 * The page in a real browser (headless Chromium) through the real stack, once per static-tier
 * server: its stylesheet applies, its script runs, its image decodes, its WebSocket echo and SSE
 * clock work through nginx or Apache, and nothing is blocked by the tier's Content-Security-Policy.
 * A screenshot is saved in the run folder (KIT_SCREENSHOT=path to keep it elsewhere; the server's
 * name is added before the extension).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { findExecutable } from '../../scripts/lib/system-packages.ts';
import { startStack, type RunningStack } from '../stack/stack-process.ts';
import { SERVER_TRAITS, STATIC_SERVERS } from './web-server.ts';

let browser: Browser;

beforeAll(async () => {
  const executablePath = findExecutable('chromium');
  if (!executablePath) throw new Error('chromium is not installed: apt-get install -y chromium (npm test does this as root)');
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(STATIC_SERVERS)('through %s', (server) => {
  let stack: RunningStack;

  beforeAll(async () => {
    SERVER_TRAITS[server].binary();
    stack = await startStack(['--min-workers', '1', '--max-workers', '2', '--static-server', server]);
  }, 90_000);

  afterAll(async () => {
    if (!stack) return;
    stack.child.kill('SIGINT');
    await stack.exited;
    if (!process.env.KIT_SCREENSHOT) await rm(stack.runDir, { recursive: true, force: true });
  }, 60_000);

  it('renders the page with its CSS, JS and image, and no console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('requestfailed', (request) => problems.push(`${request.url()} failed`));
    // Not 'networkidle': the page keeps an event stream and a WebSocket open.
    const response = await page.goto(stack.site, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);

    // The stylesheet applied: the header has its gradient, the body its background.
    const header = await page.$eval('header', (el) => getComputedStyle(el).backgroundImage);
    expect(header).toContain('linear-gradient');
    // The script ran.
    await expect(page.textContent('#script-status')).resolves.toBe('JavaScript loaded');
    // The image decoded.
    expect(await page.$eval('header img', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    // The script's button reaches the API through the web server.
    await page.click('#whoami');
    await expect(page.waitForFunction(() => document.querySelector('#whoami-out')?.textContent?.startsWith('200'))).resolves.toBeTruthy();

    // The live part: a WebSocket echo and an SSE clock, both through the web server and the gateway.
    await page.waitForFunction(() => document.querySelector('#echo-status')?.textContent?.startsWith('connected to worker'));
    await page.fill('#echo-text', 'hello over a websocket');
    await page.click('#echo-form button');
    await page.waitForFunction(() => / hello over a websocket$/.test(document.querySelector('#echo-out')?.textContent ?? ''));
    await page.waitForFunction(() => document.querySelector('#clock-worker')?.textContent?.startsWith('from worker'));
    const first = await page.textContent('#clock');
    await page.waitForFunction((before) => document.querySelector('#clock')?.textContent !== before, first, { timeout: 5000 });

    const shot = process.env.KIT_SCREENSHOT?.replace(/(\.png)?$/, `-${server}.png`) ?? join(stack.runDir, 'page.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
