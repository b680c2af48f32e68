/**
 * OpenTelemetry server spans from a real gateway (one worker) hosting apps that register the
 * OpenTelemetry SDK with its in-memory exporter (test/fixtures/apps/otel/): one SERVER span per
 * request with the HTTP semantic-convention attributes, parented on the incoming traceparent, and
 * the app's own spans its children. And an app that cannot resolve @opentelemetry/api gets no
 * span machinery at all.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, settled, startGateway, type GatewayProcess } from './gateway-process.ts';

interface ExportedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  parentIsRemote: boolean | null;
  traceState: string | null;
  attributes: Record<string, string | number>;
  status: { code: number };
}

const SERVER = 1; // SpanKind.SERVER
const ERROR = 2; // SpanStatusCode.ERROR
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

describe('with OpenTelemetry set up in the app', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGateway([
      fixture('apps/otel/fetch-app.ts'), '--mount', `/node=${fixture('apps/otel/node-app.ts')}`, '--workers', '1', '--access-log',
    ]);
    await gateway.waitFor(settled);
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
  });

  /** Spans exported so far, without those of the /spans requests themselves. */
  async function spans(): Promise<ExportedSpan[]> {
    // The last response's span ends on its 'close', a moment after the client has the body.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const all = (await (await fetch(`${gateway.url}/spans`)).json()) as ExportedSpan[];
    return all.filter((s) => s.attributes['url.path'] !== '/spans');
  }

  it('records one server span per request, parented on the incoming traceparent, with the app\'s span as its child', async () => {
    const before = (await spans()).length;
    const res = await fetch(`${gateway.url}/work?secret=1`, {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, tracestate: 'congo=t61rcWkgMzE', 'user-agent': 'kit-test/1', 'x-forwarded-for': '203.0.113.7' },
    });
    const { active } = (await res.json()) as { active: string | null };
    const added = (await spans()).slice(before);
    const servers = added.filter((s) => s.kind === SERVER);
    expect(servers).toHaveLength(1);
    const server = servers[0]!;
    expect(server).toMatchObject({ name: 'GET', traceId: TRACE_ID, parentSpanId: PARENT_ID, parentIsRemote: true, traceState: 'congo=t61rcWkgMzE' });
    const { port } = new URL(gateway.url);
    expect(server.attributes).toEqual({
      'http.request.method': 'GET',
      'url.path': '/work',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': Number(port),
      'network.protocol.version': '1.1',
      'client.address': '203.0.113.7', // from X-Forwarded-For: loopback is a trusted proxy
      'network.peer.address': '127.0.0.1',
      'user_agent.original': 'kit-test/1',
      'http.response.status_code': 200,
    });
    expect(server.status.code).not.toBe(ERROR);
    // The app saw the server span as the active one, and its own span hangs under it.
    expect(active).toBe(server.spanId);
    const appSpan = added.find((s) => s.name === 'app-work');
    expect(appSpan).toMatchObject({ traceId: TRACE_ID, parentSpanId: server.spanId });
    // The access log line carries the trace id.
    expect(gateway.output()).toMatch(new RegExp(`"path":"/work".*"traceId":"${TRACE_ID}"`));
  });

  it('starts a new trace when no valid traceparent arrived, and counts every request once', async () => {
    const before = (await spans()).length;
    for (let i = 0; i < 5; i += 1) await (await fetch(`${gateway.url}/work`, { headers: { traceparent: `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01` } })).text();
    const servers = (await spans()).slice(before).filter((s) => s.kind === SERVER);
    expect(servers).toHaveLength(5);
    expect(new Set(servers.map((s) => s.traceId)).size).toBe(5);
    for (const server of servers) {
      expect(server.parentSpanId).toBeNull();
      expect(server.traceId).not.toBe(TRACE_ID);
    }
  });

  it('marks a 5xx answer as an error', async () => {
    const before = (await spans()).length;
    expect((await fetch(`${gateway.url}/fail`, { method: 'POST', body: 'x' })).status).toBe(503);
    const [server] = (await spans()).slice(before).filter((s) => s.kind === SERVER);
    expect(server?.status.code).toBe(ERROR);
    expect(server?.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 503, 'error.type': '503' });
  });

  it('does the same for a Node listener under a mount: the full path, the app\'s span a child', async () => {
    const before = (await spans()).length;
    expect(await (await fetch(`${gateway.url}/node/x`, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } })).text()).toBe('ok');
    const added = (await spans()).slice(before);
    const server = added.find((s) => s.kind === SERVER);
    expect(server?.attributes['url.path']).toBe('/node/x');
    expect(added.find((s) => s.name === 'node-work')).toMatchObject({ traceId: TRACE_ID, parentSpanId: server?.spanId });
  });
});

describe('without OpenTelemetry', () => {
  let gateway: GatewayProcess | undefined;
  let dir: string;
  afterAll(async () => {
    await gateway?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads no OpenTelemetry module when the app cannot resolve @opentelemetry/api', async () => {
    // Outside the project, so no node_modules above it holds the API.
    dir = await mkdtemp(join(tmpdir(), 'kit-no-otel-'));
    await writeFile(
      join(dir, 'app.mjs'),
      [
        "import { createRequire } from 'node:module';",
        'const cache = createRequire(import.meta.url).cache;',
        'export default { fetch: (request, ctx) => Response.json({',
        "  otelLoaded: Object.keys(cache).some((path) => path.includes('@opentelemetry')),",
        '  trace: ctx.trace ?? null,',
        '}) };',
      ].join('\n'),
    );
    gateway = await startGateway([join(dir, 'app.mjs'), '--workers', '1', '--log-level', 'debug']);
    await gateway.waitFor(settled);
    const body = (await (await fetch(`${gateway.url}/`, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } })).json()) as { otelLoaded: boolean; trace: { traceId: string } | null };
    expect(body.otelLoaded).toBe(false);
    expect(body.trace?.traceId).toBe(TRACE_ID); // ctx.trace does not need OpenTelemetry
    expect(gateway.output()).not.toContain('OpenTelemetry');
  }, 30_000);

  it('records nothing when the API resolves but the app registered no provider', async () => {
    await gateway?.stop();
    // The API is resolvable from the project's fixtures, but this app sets nothing up.
    gateway = await startGateway([fixture('apps/hono-app.ts'), '--workers', '1', '--log-level', 'debug']);
    await gateway.waitFor(settled);
    expect((await fetch(`${gateway.url}/`)).status).toBeLessThan(500);
    expect(gateway.output()).toContain('OpenTelemetry API found but no tracer provider registered');
  }, 30_000);
});

describe('with OpenTelemetry\'s own node:http instrumentation preloaded', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGateway([fixture('apps/otel/fetch-app.ts'), '--workers', '1'], {
      NODE_OPTIONS: `--import ${fixture('apps/otel/instrumented.ts')}`,
    });
    await gateway.waitFor(settled);
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
  });

  it('leaves the request to that instrumentation: still one server span per request, the app\'s span its child', async () => {
    const res = await fetch(`${gateway.url}/work`, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
    const { active } = (await res.json()) as { active: string | null };
    await new Promise((resolve) => setTimeout(resolve, 50));
    const spans = ((await (await fetch(`${gateway.url}/spans`)).json()) as ExportedSpan[]).filter((s) => s.traceId === TRACE_ID);
    const servers = spans.filter((s) => s.kind === SERVER);
    expect(servers).toHaveLength(1);
    expect(servers[0]!.parentSpanId).toBe(PARENT_ID);
    expect(active).toBe(servers[0]!.spanId);
    expect(spans.find((s) => s.name === 'app-work')?.parentSpanId).toBe(servers[0]!.spanId);
  });
});
