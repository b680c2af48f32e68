/**
 * The translation from captured Pulumi Container inputs to `docker run` flags: if it drops or
 * bends a setting, the container suite would test a different container than `pulumi up` creates.
 */
import { execFileSync } from 'node:child_process';
import { captureResources } from '../../infra/testing/capture.ts';
import { dockerRunArgs, shellQuote } from './docker-run-flags.ts';

/** The value following `flag` in an argument list, for every occurrence. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe('dockerRunArgs', () => {
  const inputs = {
    name: 'web-0',
    image: 'kit/gateway:1',
    command: ['app/server.ts'],
    envs: ['A=1', 'B=two words'],
    healthcheck: { tests: ['CMD', 'node', 'gateway/cli.ts', 'health'], interval: '10s', timeout: '5s', retries: 3, startPeriod: '30s' },
    restart: 'unless-stopped',
    readOnly: true,
    tmpfs: { '/tmp': 'rw,size=64m' },
    capabilities: { drops: ['ALL'], adds: ['NET_BIND_SERVICE'] },
    securityOpts: ['no-new-privileges:true'],
    cpus: '0.5',
    memory: 128,
    memorySwap: 128,
    user: '1000:1000',
    stopSignal: 'SIGQUIT',
    stopTimeout: 40,
    labels: [{ label: 'tier', value: 'gateway' }],
    networkMode: 'host',
    mustRun: true,
    wait: true,
    waitTimeout: 120,
  };

  it('maps every hardening and limit field to its docker run flag', () => {
    const args = dockerRunArgs(inputs);
    expect(args.slice(0, 2)).toEqual(['run', '--detach']);
    expect(valuesOf(args, '--env')).toEqual(['A=1', 'B=two words']);
    expect(valuesOf(args, '--restart')).toEqual(['unless-stopped']);
    expect(args).toContain('--read-only');
    expect(valuesOf(args, '--tmpfs')).toEqual(['/tmp:rw,size=64m']);
    expect(valuesOf(args, '--cap-drop')).toEqual(['ALL']);
    expect(valuesOf(args, '--cap-add')).toEqual(['NET_BIND_SERVICE']);
    expect(valuesOf(args, '--security-opt')).toEqual(['no-new-privileges:true']);
    expect(valuesOf(args, '--cpus')).toEqual(['0.5']);
    // The provider takes megabytes; docker run needs the unit spelled out.
    expect(valuesOf(args, '--memory')).toEqual(['128m']);
    expect(valuesOf(args, '--memory-swap')).toEqual(['128m']);
    expect(valuesOf(args, '--user')).toEqual(['1000:1000']);
    expect(valuesOf(args, '--stop-signal')).toEqual(['SIGQUIT']);
    expect(valuesOf(args, '--stop-timeout')).toEqual(['40']);
    expect(valuesOf(args, '--label')).toEqual(['tier=gateway']);
    expect(valuesOf(args, '--network')).toEqual(['host']);
    expect(valuesOf(args, '--health-cmd')).toEqual(['node gateway/cli.ts health']);
    expect(valuesOf(args, '--health-start-period')).toEqual(['30s']);
    expect(valuesOf(args, '--health-retries')).toEqual(['3']);
  });

  it('puts the image and then the command last, and honours an image override', () => {
    expect(dockerRunArgs(inputs).slice(-2)).toEqual(['kit/gateway:1', 'app/server.ts']);
    expect(dockerRunArgs(inputs, { image: 'sha256:abc', extraFlags: ['--cpus', '1'] }).slice(-4)).toEqual(['--cpus', '1', 'sha256:abc', 'app/server.ts']);
  });

  it('ignores the fields that only steer the Pulumi provider', () => {
    const args = dockerRunArgs(inputs).join(' ');
    expect(args).not.toMatch(/wait|mustRun|must-run/i);
  });

  it('refuses a field it does not know instead of dropping it', () => {
    expect(() => dockerRunArgs({ ...inputs, shmSize: 64 })).toThrow(/shmSize/);
    expect(() => dockerRunArgs({ ...inputs, networksAdvanced: [{ name: 'net' }] })).toThrow(/host/);
  });

  it('keeps exec-form health checks intact through the shell', () => {
    const probe = ['bash', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | grep -q ' 200 '`];
    const quoted = shellQuote(probe);
    // sh must hand bash exactly the original arguments back.
    const echoed = execFileSync('sh', ['-c', `for a in ${quoted}; do printf '%s\\0' "$a"; done`]).toString().split('\0').slice(0, -1);
    expect(echoed).toEqual(probe);
  });
});

describe('the containers the Docker program declares (host networking)', () => {
  it('translate completely: every input field has a docker run flag', async () => {
    const resources = await captureResources({ target: 'docker', dockerNetworkMode: 'host', project: 'kit-flags' });
    const containers = resources.filter((r) => r.type === 'docker:index/container:Container');
    expect(containers.length).toBeGreaterThanOrEqual(2);
    for (const container of containers) {
      const args = dockerRunArgs(container.inputs);
      expect(valuesOf(args, '--network')).toEqual(['host']);
      expect(args).toContain('--read-only');
      expect(valuesOf(args, '--restart')).not.toEqual([]);
    }
  });
});
