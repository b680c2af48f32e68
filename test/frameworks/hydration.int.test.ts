/**
 * Full-stack framework pages hydrate in a real browser (headless Chromium) through the stack:
 * the Next.js, SvelteKit and Astro builds carry inline scripts that boot their client, which a plain
 * `default-src 'self'` policy from the static tier would block (the button would stay dead).
 * Checked: no console error (a blocked script is one), no `securitypolicyviolation` event, and the
 * counter button counts, which only the hydrated page does. And a policy the app sends itself
 * reaches the browser in place of the kit's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { nginxBinary } from '../nginx/nginx-binary.ts';
import { startStack, type RunningStack } from '../stack/stack-process.ts';
import { installFixture } from '../../bench/lib/framework-fixtures.ts';

const FRAMEWORKS = [
  { name: 'next', entry: '.next/standalone/server.js' },
  { name: 'sveltekit', entry: 'build/index.js' },
  { name: 'astro', entry: 'dist/server/entry.mjs' },
];

let browser: Browser;
beforeAll(async () => {
  nginxBinary();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe.each(FRAMEWORKS)('$name page through nginx and the gateway, in Chromium', ({ name, entry }) => {
  let stack: RunningStack;
  beforeAll(async () => {
    const { dir } = await installFixture(name, ['npm', 'run', 'build']);
    stack = await startStack(['--app', join(dir, entry), '--min-workers', '1', '--max-workers', '1']);
  }, 600_000);
  afterAll(async () => {
    if (!stack) return;
    stack.child.kill('SIGINT');
    await stack.exited;
    await rm(stack.runDir, { recursive: true, force: true });
  }, 60_000);

  it('hydrates: its inline and hashed scripts run, nothing is blocked by a Content-Security-Policy', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    // The browser asks for /favicon.ico on its own; neither fixture has one (a 404 from the app).
    page.on('console', (m) => m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && problems.push(`${m.text()} ${m.location().url}`));
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
    await page.exposeFunction('kitViolation', (text: string) => problems.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { kitViolation: (t: string) => void }).kitViolation(`CSP blocked ${e.blockedURI} (${e.violatedDirective})`);
      });
    });
    const response = await page.goto(stack.site, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    // The button counts only once the framework's client has hydrated the page.
    const button = page.locator('button');
    await expect(button.textContent()).resolves.toBe('clicked 0');
    for (let i = 0; i < 50 && (await button.textContent()) !== 'clicked 1'; i++) {
      await button.click();
      await page.waitForTimeout(100);
    }
    expect({ button: await button.textContent(), problems }).toEqual({ button: expect.stringMatching(/^clicked [1-9]/), problems: [] });
    await page.close();
  }, 60_000);
});
