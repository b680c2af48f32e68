/**
 * `npm test`: everything a submission must pass, in the order that fails fastest.
 *   1. system packages the suites use for real (nginx, Docker engine) are installed or named;
 *   2. the type check (`tsc`), since jest only strips types;
 *   3. the import graph has no cycles (dependencies point one way: app ← gateway core ← strategies);
 *   4. jest: unit suites, then the integration and container suites that run real processes.
 *
 * Arguments after `--` go to jest, e.g. `npm test -- test/gateway`; `npm test -- --preflight` only
 * reports what this machine has and what npm test would install or build (scripts/lib/test-preflight.ts).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { $, argv } from 'zx';
import { TEST_PACKAGES, ensureSystemPackages } from './lib/system-packages.ts';
import { testPreflight } from './lib/test-preflight.ts';

$.verbose = false;
const jestArgs = argv._.map(String);
const SLOW = '\\.(int|container)\\.test\\.ts$';

/** Every jest run's counts, for one closing line however the run ends. */
const tally = { runs: 0, passed: 0, failed: 0, skipped: 0 };
function count(report: string): void {
  if (!existsSync(report)) return;
  const r = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
  tally.passed += r.numPassedTests;
  tally.failed += r.numFailedTests;
  tally.skipped += r.numPendingTests;
}

async function step(name: string, run: () => Promise<unknown>): Promise<void> {
  const started = Date.now();
  process.stderr.write(`[test] ${name}…\n`);
  await run();
  process.stderr.write(`[test] ${name}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

// `npm test -- --preflight` arrives after the script's own `--`, so among the positional arguments.
if (argv.preflight || jestArgs.includes('--preflight')) {
  const { lines, ok } = await testPreflight();
  for (const line of lines) console.log(`[preflight] ${line}`);
  console.log(`[preflight] ${ok ? 'npm test can run here' : 'npm test cannot run here as it is: see above'}`);
  process.exit(ok ? 0 : 1);
}

mkdirSync('run', { recursive: true });
try {
  await step('system packages', () => ensureSystemPackages(TEST_PACKAGES));
  await step('type check', () => $({ stdio: 'inherit' })`tsc -p .`);
  await step('import cycles', () =>
    $({ stdio: 'inherit' })`madge --circular --extensions ts --ts-config tsconfig.json gateway app nginx apache static-tier infra scripts`);
  const jest = async (args: string[]) => {
    const report = `run/jest-report-${tally.runs++}.json`;
    try {
      await $({
        stdio: 'inherit',
        env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules --no-warnings=ExperimentalWarning' },
      })`node node_modules/jest/bin/jest.js --ci --json --outputFile ${report} ${args}`;
    } finally {
      count(report);
    }
  };
  if (jestArgs.length > 0) {
    await step('jest (selected)', () => jest(jestArgs));
  } else {
    // Fast unit suites first, so a broken unit fails in seconds; then the suites that run real
    // processes, nginx and containers, one file at a time (they measure timing behaviour and
    // two cores are not enough to run them side by side without making them flaky).
    await step('jest: unit suites', () => jest(['--testPathIgnorePatterns', SLOW]));
    await step('jest: integration and container suites', () => jest(['--runInBand', '--testPathPatterns', SLOW]));
  }
  console.log(`tests: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
} catch (error) {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  console.error(`[test] failed: ${message}`);
  console.log(`tests: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
  process.exit(1);
}
