/**
 * W3C trace context through each static-tier server (the rendered config) in front of a real
 * gateway process hosting the conformance app, which echoes `ctx.trace`: the server starts a trace
 * whose id is the request id when none arrives, and keeps a valid incoming one with its tracestate;
 * an app with OpenTelemetry set up (mounted at /otel) records its server span in that trace.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TraceContext } from '../../gateway/interface/index.ts';
import { fixture, settled, startGateway, type GatewayProcess } from '../gateway/integration/gateway-process.ts';
import { STATIC_SERVERS, startWebServer, type RunningWebServer } from './web-server.ts';

let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGateway([fixture('apps/fetch-conformance.ts'), '--mount', `/otel=${fixture('apps/otel/fetch-app.ts')}`, '--workers', '1']);
  await gateway.waitFor(settled);
}, 40_000);

afterAll(async () => {
  await gateway?.stop();
});

const INCOMING = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

describe.each(STATIC_SERVERS)('trace context through %s', (server) => {
  let web: RunningWebServer;
  beforeAll(async () => {
    web = await startWebServer(server, { upstream: { servers: [{ host: '127.0.0.1', port: Number(new URL(gateway.url).port) }] } });
  }, 40_000);
  afterAll(async () => {
    await web?.stop();
  });

  /** What the app saw as ctx.trace, and the X-Request-Id the client got back. */
  async function traceSeen(headers: Record<string, string> = {}): Promise<{ trace: TraceContext | null; requestId: string | null }> {
    const res = await fetch(`${web.site}/echo`, { headers });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ctx: { trace: TraceContext | null } };
    return { trace: body.ctx.trace, requestId: res.headers.get('x-request-id') };
  }

    it('starts a valid, sampled trace when the client sent none, its id the X-Request-Id', async () => {
      const seen = await Promise.all([traceSeen({ tracestate: 'orphan=1' }), traceSeen()]);
      for (const { trace, requestId } of seen) {
        expect(trace).not.toBeNull();
        expect(requestId).toMatch(/^[0-9a-f]{32}$/);
        expect(trace!.traceId).toBe(requestId);
        expect(trace!.parentId).toBe(requestId!.slice(16));
        expect(trace!.traceparent).toBe(`00-${requestId}-${requestId!.slice(16)}-01`);
        expect(trace!.sampled).toBe(true);
        expect(trace).not.toHaveProperty('tracestate'); // a tracestate without its traceparent is dropped
      }
      expect(seen[0]!.trace!.traceId).not.toBe(seen[1]!.trace!.traceId);
    });

    it('keeps a valid incoming traceparent and its tracestate unchanged', async () => {
      const { trace, requestId } = await traceSeen({ traceparent: INCOMING, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' });
      expect(trace?.traceparent).toBe(INCOMING);
      expect(trace?.tracestate).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
      expect(trace?.sampled).toBe(false); // the caller's decision stands
      expect(requestId).not.toBe(trace?.traceId); // the request id is still the server's own
    });

    it.each([
      ['uppercase hex', INCOMING.toUpperCase()],
      ['an all-zero trace id', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`],
      ['a future version', INCOMING.replace(/^00/, '01')],
    ])('replaces an invalid one (%s) with a trace of its own and drops its tracestate', async (_, traceparent) => {
      const { trace, requestId } = await traceSeen({ traceparent, tracestate: 'congo=t61rcWkgMzE' });
      expect(trace?.traceId).toBe(requestId);
      expect(trace).not.toHaveProperty('tracestate');
    });

    it('an app with OpenTelemetry records its server span in that trace: trace id = X-Request-Id, parent = the edge\'s hop', async () => {
      const res = await fetch(`${web.site}/otel/work`);
      expect(res.status).toBe(200);
      const requestId = res.headers.get('x-request-id')!;
      await new Promise((resolve) => setTimeout(resolve, 50)); // the span ends on the response's 'close'
      type Exported = { kind: number; name: string; traceId: string; spanId: string; parentSpanId: string | null; attributes: Record<string, unknown> };
      const spans = (await (await fetch(`${web.site}/otel/spans`)).json()) as Exported[];
      const server = spans.find((s) => s.kind === 1 && s.traceId === requestId); // SpanKind.SERVER
      expect(server).toMatchObject({ parentSpanId: requestId.slice(16), attributes: { 'url.path': '/otel/work', 'client.address': '127.0.0.1' } });
      expect(spans.find((s) => s.name === 'app-work' && s.traceId === requestId)?.parentSpanId).toBe(server!.spanId);
    });

    it('keeps the client\'s X-Request-Id, and starts the trace from the server\'s own request id', async () => {
      const { trace, requestId } = await traceSeen({ 'x-request-id': 'client-chosen-id' });
      expect(requestId).toBe('client-chosen-id');
      expect(trace?.traceId).toMatch(/^[0-9a-f]{32}$/);
    });
});
