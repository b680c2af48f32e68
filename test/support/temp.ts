/**
 * Temp folders a test file makes, removed when that file's tests are done, so `npm test` leaves
 * nothing behind in the system temp folder (it had gathered hundreds of kit-* folders).
 */
import { afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

// Jest evaluates this module once per test file, so the hook belongs to the file that imported it.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder named `kit-<label>-XXXXXX`, removed after the importing file's tests. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kit-${label}-`));
  made.push(dir);
  return dir;
}
