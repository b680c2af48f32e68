/** Headless Chromium for the browser suites: a missing browser fails with the install command (never a skip). */
import { chromium, type Browser } from 'playwright-core';
import { findExecutable } from '../../scripts/lib/system-packages.ts';

export function launchChromium(): Promise<Browser> {
  const executablePath = findExecutable('chromium');
  if (!executablePath) throw new Error('chromium is not installed: apt-get install -y chromium (npm test does this as root)');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
