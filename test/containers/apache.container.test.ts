/**
 * The Docker target with `staticServer: apache`, for real: the kit's apache/Dockerfile built on the
 * official `httpd:2.4-bookworm` image (or its stand-in where nothing can be pulled), the containers
 * the Pulumi Docker program declares (captured through Pulumi's mocks, host networking), and what a
 * user of the Apache tier would rely on: the page, hashed files served by Apache itself with
 * `immutable`, its own 404 for a missing one, a WebSocket through Apache, no version in the Server
 * header, non-root on a read-only root, a config checked with `httpd -t` before it serves (a bad
 * one refused with Apache's message), and a graceful stop on the image's WINCH.
 *
 * No skip: when the engine cannot start, beforeAll throws and every test here fails.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { $ } from 'zx';
import { captureStack, type CapturedResource } from '../../infra/testing/capture.ts';
import { ensureDockerEngine } from '../../scripts/lib/docker-engine.ts';
import { provideBaseImages } from '../../scripts/lib/base-image-source.ts';
import { baseImageTagsFor } from '../../scripts/lib/base-image-tags.ts';
import { CONTAINER_TYPE, IMAGE_TYPE, buildImage, cleanUp, docker, freePorts, inspect, logs, runContainer, waitHealthy } from './stack-harness.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (line: string) => process.stderr.write(`[containers:apache] ${line}\n`);

let site = '';
let adminPort = 0;
let apache: CapturedResource;
const started: string[] = [];
const images: string[] = [];

beforeAll(async () => {
  const engine = await ensureDockerEngine();
  log(`engine ${engine.version}`);
  const tags = baseImageTagsFor(ROOT);
  await provideBaseImages({ node: tags.node, nginx: [], httpd: tags.httpd }, { log });
  const [sitePort, gatewayPort, admin] = await freePorts(3);
  adminPort = admin!;
  const project = `kit-ap-${randomBytes(3).toString('hex')}`;
  const captured = await captureStack({
    target: 'docker', dockerNetworkMode: 'host', staticServer: 'apache', project, sitePort, gatewayPort, adminPort, gatewayReplicas: 1,
  });
  site = captured.siteUrl.replace(/\/$/, '');
  for (const image of captured.resources.filter((r) => r.type === IMAGE_TYPE)) {
    images.push(String(image.inputs.imageName));
    log(`built ${String(image.inputs.imageName)} in ${(await buildImage(image)).toFixed(1)} s`);
  }
  const containers = captured.resources.filter((r) => r.type === CONTAINER_TYPE);
  apache = containers.find((r) => String(r.inputs.name) === `${project}-apache`)!;
  expect(apache).toBeDefined();
  // The order `pulumi up` follows: the static tier depends on the gateway containers.
  for (const container of [...containers.filter((c) => c !== apache), apache]) {
    started.push(await runContainer(container));
    log(`${String(container.inputs.name)} healthy after ${(await waitHealthy(String(container.inputs.name))).toFixed(1)} s`);
  }
}, 30 * 60_000);

afterAll(async () => {
  await cleanUp(started, images);
}, 120_000);

/** Requests the gateway's workers have finished, by its admin /status (reported with each heartbeat). */
async function servedByGateway(): Promise<number> {
  const status = (await (await fetch(`http://127.0.0.1:${adminPort}/status`)).json()) as { workers: { requests: number }[] };
  return status.workers.reduce((sum, w) => sum + w.requests, 0);
}

/** Waits for the workers' next reports, then the count. */
async function settledCount(): Promise<number> {
  await sleep(2_500);
  return servedByGateway();
}

describe('the Apache static tier in its container', () => {
  it('is healthy, runs httpd (not nginx) as non-root PID 1 on a read-only root, after httpd -t passed', async () => {
    const name = String(apache.inputs.name);
    expect(await inspect(name, '{{.State.Health.Status}}')).toBe('healthy');
    const status = await docker(['exec', name, 'cat', '/proc/1/status']);
    expect(/^Name:\s+(\S+)/m.exec(status)?.[1]).toMatch(/^(httpd|apache2)$/);
    expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe('33');
    await expect(docker(['exec', name, 'touch', '/probe'])).rejects.toThrow(/Read-only file system/);
    expect(await logs(name, 200)).toContain('Syntax OK');
  });

  it('serves the page through Apache, with a Server header that names no version', async () => {
    const page = await fetch(`${site}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Gateway kit sample app');
    expect(page.headers.get('server')).toBe('Apache');
    expect(page.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers a hashed static file itself, immutable, and a missing one with its own 404: the app never sees either', async () => {
    const html = await (await fetch(`${site}/`)).text();
    const asset = /href="(\/static\/[^"]+\.[0-9a-f]{8,}\.css)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const before = await settledCount();
    for (let i = 0; i < 5; i++) {
      const css = await fetch(`${site}${asset}`);
      expect(css.status).toBe(200);
      expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
      expect(css.headers.get('server')).toBe('Apache');
      expect((await css.text()).length).toBeGreaterThan(0);
    }
    const missing = await fetch(`${site}/static/missing.0123456789.css`);
    expect(missing.status).toBe(404);
    // Apache's own page, not the app's JSON `{ error: 'not found' }`; never cached a year.
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
    expect(missing.headers.get('cache-control') ?? '').not.toContain('immutable');
    expect(await settledCount()).toBe(before);
    // The count does move when a request reaches the app, so the equality above means something.
    expect((await fetch(`${site}/api/whoami`)).status).toBe(200);
    expect(await settledCount()).toBeGreaterThan(before);
  });

  it('carries a WebSocket through Apache to the app and back', async () => {
    const ws = new WebSocket(`${site.replace(/^http/, 'ws')}/live/ws`);
    const messages: { type: string; text?: string }[] = [];
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string; text?: string }));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send('through apache');
    const deadline = Date.now() + 10_000;
    while (!messages.some((m) => m.type === 'echo') && Date.now() < deadline) await sleep(50);
    expect(messages[0]).toMatchObject({ type: 'hello' });
    expect(messages.find((m) => m.type === 'echo')).toMatchObject({ text: 'through apache' });
    ws.close(1000);
    await closed;
  });

  it('refuses a bad config with httpd’s own message and a failing exit, instead of serving', async () => {
    // A valid start (httpd reports a missing MPM before anything else), then a directive no module defines.
    const conf = 'ServerRoot "/tmp/apache"\nLoadModule mpm_event_module /usr/local/apache2/modules/mod_mpm_event.so\nBogusDirective on\n';
    const out = await $`docker run --rm --network none --read-only --tmpfs /tmp --cap-drop ALL -e ${`APACHE_CONF=${conf}`} ${String(apache.inputs.image)}`
      .quiet().nothrow().timeout('60s');
    expect(out.exitCode).not.toBe(0);
    expect(`${out.stdout}${out.stderr}`).toMatch(/Syntax error on line 3 of \/tmp\/apache\/httpd\.conf:\s+Invalid command 'BogusDirective'/);
  }, 90_000);

  it('stops gracefully on the image’s stop signal (WINCH) and exits 0', async () => {
    const name = String(apache.inputs.name);
    expect(await inspect(name, '{{.Config.StopSignal}}')).toBe('SIGWINCH');
    const stopStarted = Date.now();
    await docker(['stop', name], '120s');
    expect(await inspect(name, '{{.State.ExitCode}}')).toBe('0');
    expect((Date.now() - stopStarted) / 1000).toBeLessThan(Number(apache.inputs.stopTimeout));
  }, 150_000);
});
