/**
 * `docker run` flags from the inputs of a `docker:index/container:Container` the Pulumi program
 * declares (captured through Pulumi's mocks), so the container suite starts exactly the containers
 * `pulumi up` would create. One table row per input field; a field the table does not know fails
 * loudly, so a new setting in the program cannot be silently dropped from the test.
 */

/** Inputs of a captured docker.Container, as the mock monitor hands them over (plain values). */
export type ContainerInputs = Record<string, unknown>;

type Translate = (value: never) => string[];

const list = <T>(value: T[] | undefined): T[] => value ?? [];

/** Exec-form arguments for a shell string: Docker's CLI only takes health checks in shell form. */
export function shellQuote(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

interface Healthcheck { tests?: string[]; interval?: string; timeout?: string; startPeriod?: string; retries?: number; startInterval?: string }

function healthFlags(h: Healthcheck): string[] {
  const [kind, ...rest] = list(h.tests);
  if (kind === 'NONE') return ['--no-healthcheck'];
  if (h.startInterval !== undefined) throw new Error('healthcheck.startInterval needs Docker API 1.44; the engine here is older');
  const cmd = kind === 'CMD-SHELL' ? rest.join(' ') : kind === 'CMD' ? shellQuote(rest) : undefined;
  if (cmd === undefined) throw new Error(`healthcheck.tests must start with CMD, CMD-SHELL or NONE, got ${String(kind)}`);
  const flags = ['--health-cmd', cmd];
  if (h.interval) flags.push('--health-interval', h.interval);
  if (h.timeout) flags.push('--health-timeout', h.timeout);
  if (h.startPeriod) flags.push('--health-start-period', h.startPeriod);
  if (h.retries !== undefined) flags.push('--health-retries', String(h.retries));
  return flags;
}

/** Input field → flags. `image`, `command` and `entrypoints` are positional and handled apart. */
const FLAGS: Record<string, Translate> = {
  name: (v: string) => ['--name', v],
  envs: (v: string[]) => list(v).flatMap((e) => ['--env', e]),
  healthcheck: (v: Healthcheck) => healthFlags(v),
  stopSignal: (v: string) => ['--stop-signal', v],
  stopTimeout: (v: number) => ['--stop-timeout', String(v)],
  restart: (v: string) => ['--restart', v],
  readOnly: (v: boolean) => (v ? ['--read-only'] : []),
  tmpfs: (v: Record<string, string>) => Object.entries(v).flatMap(([path, opts]) => ['--tmpfs', opts ? `${path}:${opts}` : path]),
  capabilities: (v: { adds?: string[]; drops?: string[] }) => [
    ...list(v.drops).flatMap((c) => ['--cap-drop', c]),
    ...list(v.adds).flatMap((c) => ['--cap-add', c]),
  ],
  securityOpts: (v: string[]) => list(v).flatMap((o) => ['--security-opt', o]),
  cpus: (v: string) => ['--cpus', v],
  memory: (v: number) => ['--memory', `${v}m`],
  memorySwap: (v: number) => ['--memory-swap', `${v}m`],
  labels: (v: { label: string; value: string }[]) => list(v).flatMap((l) => ['--label', `${l.label}=${l.value}`]),
  networkMode: (v: string) => ['--network', v],
  ports: (v: { internal: number; external?: number; ip?: string }[]) =>
    list(v).flatMap((p) => ['--publish', [p.ip, p.external ?? '', p.internal].filter((x) => x !== undefined).join(':')]),
  user: (v: string) => ['--user', v],
  workingDir: (v: string) => ['--workdir', v],
  init: (v: boolean) => (v ? ['--init'] : []),
  hostname: (v: string) => ['--hostname', v],
};

/** Fields that steer the Pulumi provider itself (waiting, replacing, deleting), not the container. */
const PROVIDER_ONLY = new Set(['mustRun', 'wait', 'waitTimeout', 'destroyGraceSeconds', 'removeVolumes', 'containerReadRefreshTimeoutMilliseconds', 'start', 'attach', 'logs']);

/** Overrides the suite applies on top of the captured inputs (e.g. the image reference it built). */
export interface RunOverrides {
  image?: string;
  /** Extra flags placed before the image (e.g. `--cpus 1` for a probe container). */
  extraFlags?: string[];
}

/** Full `docker run` argument list (after `docker`) for one captured container, detached. */
export function dockerRunArgs(inputs: ContainerInputs, overrides: RunOverrides = {}): string[] {
  const flags: string[] = [];
  for (const [field, value] of Object.entries(inputs)) {
    if (value === undefined || value === null || PROVIDER_ONLY.has(field)) continue;
    if (field === 'image' || field === 'command' || field === 'entrypoints') continue;
    if (field === 'networksAdvanced') throw new Error('networksAdvanced (a bridge network) cannot run here: capture with dockerNetworkMode "host"');
    const translate = FLAGS[field];
    if (!translate) throw new Error(`docker-run-flags does not translate Container input "${field}" yet: add a row to FLAGS`);
    flags.push(...translate(value as never));
  }
  const [entrypoint, ...entryArgs] = list(inputs.entrypoints as string[] | undefined);
  if (entrypoint !== undefined) flags.push('--entrypoint', entrypoint);
  const image = overrides.image ?? (inputs.image as string | undefined);
  if (!image) throw new Error('captured container has no image');
  return ['run', '--detach', ...flags, ...list(overrides.extraFlags), image, ...entryArgs, ...list(inputs.command as string[] | undefined)];
}
