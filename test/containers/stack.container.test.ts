/**
 * The Docker target for real: build the project's Dockerfiles on the official base images (or on
 * stand-ins where nothing can be pulled), start the containers the Pulumi Docker program declares
 * (captured through Pulumi's mocks, host networking, two gateway replicas on their own ports) and
 * check what a user of `pulumi up` would rely on: health, the site through nginx reaching both
 * replicas, one replica replaced while nginx keeps serving, non-root on a read-only root, the CPU
 * budget under a limit, restart after a crash, and a graceful `docker stop`. Bridge networking
 * cannot run here (the engine has no bridge: `--bridge=none`, loopback only); test/infra/
 * docker-target.test.ts checks it through the mocks.
 *
 * No skip: when the engine cannot start (e.g. under CI=true on a machine without Docker), beforeAll
 * throws and every test here fails.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureStack, type CapturedResource } from '../../infra/testing/capture.ts';
import { ensureDockerEngine } from '../../scripts/lib/docker-engine.ts';
import { provideBaseImages } from '../../scripts/lib/base-image-source.ts';
import { baseImageTagsFor } from '../../scripts/lib/base-image-tags.ts';
import { failures, startLoad } from '../../bench/faults/load.ts';
import {
  CONTAINER_TYPE, IMAGE_TYPE, buildImage, cleanUp, docker, freePortRun, freePorts, getUntilOk, inspect, runContainer, waitHealthy,
} from './stack-harness.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (line: string) => process.stderr.write(`[containers] ${line}\n`);

let site = '';
let gateway: CapturedResource;
/** The second replica: nginx's upstream list has both, each on its own loopback port. */
let gateway1: CapturedResource;
let nginx: CapturedResource;
let adminPorts: number[] = [];
let gatewayImage = '';
const started: string[] = [];
const images: string[] = [];

beforeAll(async () => {
  const t0 = Date.now();
  const engine = await ensureDockerEngine();
  log(`engine ${engine.version}${engine.startedByUs ? ' (started by this suite, left running)' : ''}`);
  const tags = baseImageTagsFor(ROOT);
  // Official images where they can be pulled (KIT_BASE_IMAGES), stand-ins where they cannot.
  const sources = await provideBaseImages({ node: tags.node, nginx: tags.nginx, httpd: [] }, { log });
  log(`base images: official ${sources.official.join(', ') || 'none'}; stand-ins ${sources.standIns.flatMap((r) => r.tags).join(', ') || 'none'}`);

  // Two gateway replicas on the host network: each binds port + i and adminPort + i.
  const [sitePort] = await freePorts(1);
  const gatewayPort = await freePortRun(2);
  const adminPort = await freePortRun(2);
  adminPorts = [adminPort, adminPort + 1];
  const project = `kit-ct-${randomBytes(3).toString('hex')}`;
  const captured = await captureStack({ target: 'docker', dockerNetworkMode: 'host', project, sitePort, gatewayPort, adminPort, gatewayReplicas: 2 });
  site = captured.siteUrl.replace(/\/$/, '');
  const containers = captured.resources.filter((r) => r.type === CONTAINER_TYPE);
  gateway = containers.find((r) => /-gateway-0$/.test(String(r.inputs.name)))!;
  gateway1 = containers.find((r) => /-gateway-1$/.test(String(r.inputs.name)))!;
  nginx = containers.find((r) => /-nginx$/.test(String(r.inputs.name)))!;
  expect(containers.map((c) => c.inputs.name).sort()).toEqual([gateway.inputs.name, gateway1.inputs.name, nginx.inputs.name].sort());

  for (const image of captured.resources.filter((r) => r.type === IMAGE_TYPE)) {
    images.push(String(image.inputs.imageName));
    log(`built ${String(image.inputs.imageName)} in ${(await buildImage(image)).toFixed(1)} s`);
  }
  gatewayImage = String(gateway.inputs.image);

  // The order `pulumi up` follows: nginx depends on the gateway containers, which it waits healthy for.
  for (const replica of [gateway, gateway1]) {
    const name = await runContainer(replica);
    started.push(name);
    log(`${name} healthy after ${(await waitHealthy(name)).toFixed(1)} s`);
  }
  started.push(await runContainer(nginx));
  log(`nginx healthy after ${(await waitHealthy(String(nginx.inputs.name))).toFixed(1)} s; set-up took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 30 * 60_000);

/** Requests one gateway replica's workers have finished, by its admin /status. */
async function servedBy(adminPort: number): Promise<number> {
  const status = (await (await fetch(`http://127.0.0.1:${adminPort}/status`)).json()) as { workers: { requests: number }[] };
  return status.workers.reduce((sum, w) => sum + w.requests, 0);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

afterAll(async () => {
  await cleanUp(started, images);
}, 120_000);

describe('the Docker program’s containers, started for real', () => {
  it('all three report healthy through their HEALTHCHECK', async () => {
    for (const name of [gateway.inputs.name, gateway1.inputs.name, nginx.inputs.name]) {
      expect(await inspect(String(name), '{{.State.Health.Status}}')).toBe('healthy');
    }
  });

  it('serve the page, a fingerprinted asset and the API through the nginx container', async () => {
    const page = await fetch(`${site}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Gateway kit sample app');
    const asset = /href="(\/static\/[^"]+\.css)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const css = await fetch(`${site}${asset}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('cache-control')).toMatch(/immutable/);
    const api = await fetch(`${site}/api/whoami`);
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual(expect.objectContaining({ workerId: expect.any(Number) }));
  });

  it('carry the limits, capabilities, restart policy and stop settings the program declares', async () => {
    for (const declared of [gateway, gateway1, nginx]) {
      const name = String(declared.inputs.name);
      const host = JSON.parse(await docker(['inspect', '--format', '{{json .HostConfig}}', name])) as Record<string, unknown>;
      const config = JSON.parse(await docker(['inspect', '--format', '{{json .Config}}', name])) as Record<string, unknown>;
      const mib = Number(declared.inputs.memory) * 1024 * 1024;
      expect(host).toEqual(expect.objectContaining({
        NanoCpus: Math.round(Number(declared.inputs.cpus) * 1e9),
        Memory: mib,
        MemorySwap: mib,
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: declared.inputs.securityOpts,
        NetworkMode: 'host',
        RestartPolicy: expect.objectContaining({ Name: declared.inputs.restart }),
        Tmpfs: declared.inputs.tmpfs,
      }));
      expect(config).toEqual(expect.objectContaining({ StopSignal: declared.inputs.stopSignal, StopTimeout: declared.inputs.stopTimeout }));
    }
  });

  it("nginx's upstream lists both replicas on their own ports, and traffic through nginx reaches both", async () => {
    const conf = String((nginx.inputs.envs as string[]).find((e) => e.startsWith('NGINX_CONF='))).slice('NGINX_CONF='.length);
    for (const replica of [gateway, gateway1]) {
      const bind = String((replica.inputs.envs as string[]).find((e) => e.startsWith('GATEWAY_BIND='))).slice('GATEWAY_BIND='.length);
      expect(conf).toContain(`server ${bind}`);
    }
    const before = await Promise.all(adminPorts.map(servedBy));
    for (let i = 0; i < 40; i++) expect((await fetch(`${site}/api/whoami`)).status).toBe(200);
    // Workers report their counts with each heartbeat (about a second).
    await waitUntil(async () => (await Promise.all(adminPorts.map(servedBy))).every((n, i) => n > before[i]!), 10_000);
  });

  it('replacing one gateway container while nginx keeps serving: no failed request', async () => {
    const name = String(gateway1.inputs.name);
    const load = startLoad({ url: `${site}/api/whoami`, concurrency: 4, maxDurationMs: 120_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // What `pulumi up` does to a container whose inputs changed: stop (TERM, drain), remove, create anew.
    await docker(['stop', name], '120s');
    await docker(['rm', name]);
    await runContainer(gateway1);
    await waitHealthy(name);
    const served = await servedBy(adminPorts[1]!);
    await waitUntil(async () => (await servedBy(adminPorts[1]!)) > served, 15_000); // the new container takes traffic
    const tally = await load.stop();
    log(`replacement under load through nginx: ${tally.sent} sent, ${failures(tally)} failed, ${tally.retried} retried`);
    expect(tally.ok).toBeGreaterThan(100);
    expect(failures(tally)).toBe(0);
    expect(tally.retried).toBe(0);
  }, 240_000);

  it('run every process as non-root on a read-only root with a writable /tmp', async () => {
    for (const name of [String(gateway.inputs.name), String(nginx.inputs.name)]) {
      expect(await docker(['exec', name, 'id', '-u'])).not.toBe('0');
      // PID 1 (gateway master, nginx master) itself, not just an exec'd shell.
      const uid = /^Uid:\s+(\d+)/m.exec(await docker(['exec', name, 'cat', '/proc/1/status']))?.[1];
      expect(uid).toBeDefined();
      expect(uid).not.toBe('0');
      await expect(docker(['exec', name, 'touch', '/probe'])).rejects.toThrow(/Read-only file system/);
      await docker(['exec', name, 'touch', '/tmp/probe']);
    }
  });

  it('reaps orphaned processes in the gateway container (tini as PID 1)', async () => {
    const name = String(gateway.inputs.name);
    expect(await docker(['exec', name, 'cat', '/proc/1/comm'])).toBe('tini');
    // The subshell exits at once, so `sleep` is reparented to PID 1; when it ends, only PID 1 can reap it.
    await docker(['exec', name, 'sh', '-c', '(sleep 0.3 &) ; exit 0']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const states = await docker(['exec', name, 'sh', '-c', 'cat /proc/[0-9]*/stat 2>/dev/null | cut -d" " -f2,3']);
    expect(states.split('\n').filter((line) => line.endsWith(' Z'))).toEqual([]);
  });

  it('gives the gateway a CPU budget of 1 inside a container limited to one CPU', async () => {
    const script = "const m = await import('./dist/gateway/system/cpu-budget.js'); console.log(m.defaultMaxWorkers());";
    const out = await docker(['run', '--rm', '--network', 'none', '--cpus', '1', '--entrypoint', 'node', gatewayImage,
      '--input-type=module', '-e', script]);
    expect(out.split('\n').at(-1)).toBe('1');
  });

  it('restarts the gateway container by its restart policy when its main process is killed', async () => {
    const name = String(gateway.inputs.name);
    const restartsBefore = Number(await inspect(name, '{{.RestartCount}}'));
    const pid = Number(await inspect(name, '{{.State.Pid}}'));
    expect(pid).toBeGreaterThan(0);
    // A crash as the kernel's OOM killer would cause it: SIGKILL to PID 1 from outside, no docker stop.
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 60_000;
    while (Number(await inspect(name, '{{.RestartCount}}')) <= restartsBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(Number(await inspect(name, '{{.RestartCount}}'))).toBe(restartsBefore + 1);
    await waitHealthy(name);
    const answer = await getUntilOk(`${site}/api/whoami`, 30_000);
    expect(answer.status).toBe(200);
  }, 150_000);

  it('drains requests in flight on docker stop and exits 0 within the grace period', async () => {
    const name = String(gateway.inputs.name);
    const inFlight = Array.from({ length: 6 }, () =>
      fetch(`${site}/api/sleep?ms=3000`, { signal: AbortSignal.timeout(60_000) }).then((r) => r.status, (e: Error) => e.message));
    await new Promise((resolve) => setTimeout(resolve, 800));
    const stopStarted = Date.now();
    await docker(['stop', name], '120s');
    const stopSeconds = (Date.now() - stopStarted) / 1000;
    expect(await Promise.all(inFlight)).toEqual(Array(6).fill(200));
    expect(await inspect(name, '{{.State.ExitCode}}')).toBe('0');
    // Docker KILLs at stopTimeout; finishing well before it means TERM drained, not that KILL struck.
    expect(stopSeconds).toBeLessThan(Number(gateway.inputs.stopTimeout));
  }, 150_000);
});
