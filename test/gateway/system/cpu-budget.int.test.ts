/**
 * The CPU budget under real kernel limits: a cgroup we create with a CPU quota (v1 `cpu` hierarchy, or
 * v2 `cpu.max` where the cpu controller lives in the unified tree), and a real affinity mask (taskset).
 * A child Node process joins the cgroup before it starts and prints what it computes. Needs root (as CI
 * and containers here have); without a writable cgroup tree the test fails rather than passing vacuously.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../../gateway/system/cpu-budget.ts', import.meta.url));
const PRINT = `import { cpuBudget } from ${JSON.stringify(MODULE)};
import { availableParallelism } from 'node:os';
console.log(JSON.stringify({ ...cpuBudget(), parallelism: availableParallelism() }));`;

interface Printed {
  cpus: number;
  source: string;
  limits: { source: string; cpus: number; file: string }[];
  parallelism: number;
}

/** Runs the printer through `sh`, which first runs `prelude` (e.g. joining a cgroup) and then execs node. */
function budgetOfChild(prelude: string, wrapper: string[] = []): Printed {
  const script = `${prelude} exec "$@"`;
  const out = execFileSync('sh', ['-c', script, 'sh', ...wrapper, process.execPath, '--input-type=module', '-e', PRINT], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return JSON.parse(out) as Printed;
}

interface TestCgroup {
  dir: string;
  setQuota(quotaUs: number, periodUs: number): void;
}

/** A fresh cgroup with a settable CPU quota, in whichever hierarchy carries the cpu controller. */
function createCgroup(name: string): TestCgroup {
  const v1 = '/sys/fs/cgroup/cpu';
  if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
    const dir = join(v1, name);
    mkdirSync(dir);
    return {
      dir,
      setQuota: (quota, period) => {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), String(period));
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
      },
    };
  }
  const v2 = '/sys/fs/cgroup';
  if (readFileSync(join(v2, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) {
    writeFileSync(join(v2, 'cgroup.subtree_control'), '+cpu');
    const dir = join(v2, name);
    mkdirSync(dir);
    return { dir, setQuota: (quota, period) => writeFileSync(join(dir, 'cpu.max'), `${quota} ${period}`) };
  }
  throw new Error('no cgroup hierarchy with the cpu controller is writable here');
}

describe('cpuBudget under real limits', () => {
  const name = `kit-test-${process.pid}`;
  let cgroup: TestCgroup;
  beforeAll(() => {
    cgroup = createCgroup(name);
  });
  afterAll(() => {
    if (cgroup) rmdirSync(cgroup.dir);
  });

  // Every case checks the limit list, which names the quota whatever the host's core count: a
  // broken cgroup reader fails each one, even where the rounded-up quota equals the affinity (1.5
  // CPUs on a 2-core machine gives 2 either way).
  test.each([
    { quota: 50_000, period: 100_000 },
    { quota: 100_000, period: 100_000 },
    { quota: 150_000, period: 100_000 },
  ])('a child in a cgroup with quota $quota/$period sees that quota, and is bound by it below its affinity', ({ quota, period }) => {
    cgroup.setQuota(quota, period);
    const printed = budgetOfChild(`echo $$ > ${join(cgroup.dir, 'cgroup.procs')} &&`);
    const cpus = quota / period;
    expect(printed.limits).toContainEqual(expect.objectContaining({ source: expect.stringMatching(/^cgroup-v[12]$/), cpus }));
    expect(printed.cpus).toBe(Math.min(Math.ceil(cpus), printed.parallelism));
    if (cpus < printed.parallelism) expect(printed.source).toMatch(/^cgroup-v[12]$/);
  });

  test('a quota binds below the affinity: 0.5 CPU on two allowed CPUs is 1 worker, decided by the cgroup', () => {
    cgroup.setQuota(50_000, 100_000);
    const printed = budgetOfChild(`echo $$ > ${join(cgroup.dir, 'cgroup.procs')} &&`, ['taskset', '-c', '0-1']);
    expect(printed.parallelism).toBe(2);
    expect(printed).toMatchObject({ cpus: 1, source: expect.stringMatching(/^cgroup-v[12]$/) });
  });

  test('the affinity binds below a quota: one pinned CPU under a 1.5-CPU quota is 1, decided by the affinity', () => {
    cgroup.setQuota(150_000, 100_000);
    const printed = budgetOfChild(`echo $$ > ${join(cgroup.dir, 'cgroup.procs')} &&`, ['taskset', '-c', '0']);
    expect(printed).toMatchObject({ cpus: 1, source: 'affinity', parallelism: 1 });
    expect(printed.limits).toContainEqual(expect.objectContaining({ cpus: 1.5 }));
  });

  test('a child pinned to one CPU with taskset sees 1 CPU', () => {
    const printed = budgetOfChild('', ['taskset', '-c', '0']);
    expect(printed).toMatchObject({ cpus: 1, source: 'affinity', parallelism: 1 });
  });
});
