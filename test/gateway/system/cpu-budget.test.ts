import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { countCpuList, cpuBudget, defaultMaxWorkers } from '../../../gateway/system/cpu-budget.ts';

const V1_MOUNTS = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const V2_MOUNT = '30 23 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw';
const status = (list: string) => `Name:\tnode\nCpus_allowed:\tff\nCpus_allowed_list:\t${list}\n`;

// Fixture trees: the files a process would see, and the budget it should compute from them.
const FIXTURES = [
  {
    name: 'cgroup v2 in a container with --cpus 1.5 (cgroup namespace: own cgroup is "/")',
    files: { 'proc/self/cgroup': '0::/\n', 'proc/self/mountinfo': V2_MOUNT, 'sys/fs/cgroup/cpu.max': '150000 100000\n', 'proc/self/status': status('0-47') },
    expected: { cpus: 2, source: 'cgroup-v2' },
  },
  {
    name: 'cgroup v2 unlimited ("max") falls back to affinity',
    files: { 'proc/self/cgroup': '0::/\n', 'proc/self/mountinfo': V2_MOUNT, 'sys/fs/cgroup/cpu.max': 'max 100000\n', 'proc/self/status': status('0-3') },
    expected: { cpus: 4, source: 'affinity' },
  },
  {
    name: 'cgroup v2 nested: the parent slice limits a child without its own limit',
    files: {
      'proc/self/cgroup': '0::/kubepods/pod1/ctr\n',
      'proc/self/mountinfo': V2_MOUNT,
      'sys/fs/cgroup/kubepods/pod1/cpu.max': '50000 100000\n',
      'sys/fs/cgroup/kubepods/pod1/ctr/cpu.max': 'max 100000\n',
      'proc/self/status': status('0-15'),
    },
    expected: { cpus: 1, source: 'cgroup-v2' },
  },
  {
    name: 'cgroup v1 hybrid (this machine\'s layout) with a 3-CPU quota on the own cgroup',
    files: {
      'proc/self/cgroup': '9:name=systemd:/\n4:cpu,cpuacct:/kit\n3:cpuset:/\n0::/\n',
      'proc/self/mountinfo': V1_MOUNTS,
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
      'sys/fs/cgroup/cpu,cpuacct/kit/cpu.cfs_quota_us': '300000\n',
      'sys/fs/cgroup/cpu,cpuacct/kit/cpu.cfs_period_us': '100000\n',
      'proc/self/status': status('0-7'),
    },
    expected: { cpus: 3, source: 'cgroup-v1' },
  },
  {
    name: 'cgroup v1 in Docker without a cgroup namespace: the mount root is the container\'s cgroup',
    files: {
      'proc/self/cgroup': '4:cpu,cpuacct:/docker/abc\n',
      'proc/self/mountinfo': '36 25 0:31 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '200000\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
      'proc/self/status': status('0-63'),
    },
    expected: { cpus: 2, source: 'cgroup-v1' },
  },
  {
    name: 'affinity narrower than the quota wins (taskset / cpuset)',
    files: {
      'proc/self/cgroup': '0::/\n',
      'proc/self/mountinfo': V2_MOUNT,
      'sys/fs/cgroup/cpu.max': '400000 100000\n',
      'proc/self/status': status('2,5'),
    },
    expected: { cpus: 2, source: 'affinity' },
  },
  {
    name: 'a tiny quota still gives one worker',
    files: { 'proc/self/cgroup': '0::/\n', 'proc/self/mountinfo': V2_MOUNT, 'sys/fs/cgroup/cpu.max': '10000 100000\n', 'proc/self/status': status('0-3') },
    expected: { cpus: 1, source: 'cgroup-v2' },
  },
  {
    name: 'nothing readable (not Linux): the host parallelism',
    files: {},
    expected: { cpus: 6, source: 'host' },
  },
];

describe('cpuBudget on fixture trees', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  test.each(FIXTURES)('$name', ({ files, expected }) => {
    const root = mkdtempSync(join(tmpdir(), 'cpu-budget-'));
    roots.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const budget = cpuBudget({ root, parallelism: () => 6 });
    expect({ cpus: budget.cpus, source: budget.source }).toEqual(expected);
    expect(defaultMaxWorkers({ root, parallelism: () => 6 })).toBe(expected.cpus);
  });
});

describe('countCpuList', () => {
  test.each([
    ['0-1', 2],
    ['0', 1],
    ['0-3,8,10-11', 7],
    ['', 0],
  ])('%s → %i', (list, count) => {
    expect(countCpuList(list)).toBe(count);
  });
});
