/**
 * W3C trace context at the gateway: the traceparent rule (checked against OpenTelemetry's own W3C
 * propagator on generated headers), and what an app sees as `ctx.trace` and the access log writes.
 */
import { ROOT_CONTEXT, trace, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import fc from 'fast-check';
import { appSetOf, formatTraceparent, parseTraceContext, type GatewayContext } from '../../../gateway/interface/index.ts';
import { serve, type Served } from './serve.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe('parseTraceContext', () => {
  test('takes a valid version-00 header apart', () => {
    expect(parseTraceContext(VALID, 'congo=t61rcWkgMzE, rojo=00f067aa0ba902b7')).toEqual({
      traceId: TRACE_ID,
      parentId: PARENT_ID,
      flags: 1,
      sampled: true,
      traceparent: VALID,
      tracestate: 'congo=t61rcWkgMzE, rojo=00f067aa0ba902b7',
    });
    expect(parseTraceContext(`00-${TRACE_ID}-${PARENT_ID}-00`, undefined)).toMatchObject({ flags: 0, sampled: false });
    expect(parseTraceContext(`00-${TRACE_ID}-${PARENT_ID}-03`, '')).toMatchObject({ flags: 3, sampled: true });
    expect(parseTraceContext(VALID, undefined)).not.toHaveProperty('tracestate');
  });

  test.each([
    ['absent', undefined],
    ['empty', ''],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${PARENT_ID}-01`],
    ['all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['uppercase hex', VALID.toUpperCase()],
    ['version ff', `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ['a future version', `01-${TRACE_ID}-${PARENT_ID}-01`],
    ['trailing data on version 00', `${VALID}-extra`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ['a non-hex flag', `00-${TRACE_ID}-${PARENT_ID}-0g`],
    ['two headers joined by Node', `${VALID}, ${VALID}`],
    ['an array', [VALID]],
  ])('%s → no trace context, and the tracestate goes with it', (_, header) => {
    expect(parseTraceContext(header, 'congo=t61rcWkgMzE')).toBeUndefined();
  });

  test('a tracestate W3C lets us drop is dropped, the traceparent kept', () => {
    expect(parseTraceContext(VALID, `k=${'v'.repeat(600)}`)).not.toHaveProperty('tracestate');
    expect(parseTraceContext(VALID, 'k=v\u00e9')).not.toHaveProperty('tracestate');
  });

  test('formatTraceparent writes what parseTraceContext reads', () => {
    expect(formatTraceparent(TRACE_ID, PARENT_ID, 1)).toBe(VALID);
    expect(parseTraceContext(formatTraceparent(TRACE_ID, PARENT_ID, 0), undefined)?.sampled).toBe(false);
  });

  test('agrees with OpenTelemetry\'s W3C propagator on every version-00 header', () => {
    const propagator = new W3CTraceContextPropagator();
    const getter: TextMapGetter<Record<string, string>> = { get: (c, k) => c[k], keys: (c) => Object.keys(c) };
    const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${length}}$`));
    const id = (length: number) => fc.oneof(hex(length), fc.constant('0'.repeat(length)), fc.string({ maxLength: length + 1 }));
    fc.assert(
      fc.property(id(32), id(16), fc.oneof(hex(2), fc.string({ maxLength: 3 })), (traceId, parentId, flags) => {
        const header = `00-${traceId}-${parentId}-${flags}`;
        const ours = parseTraceContext(header, undefined);
        const theirs = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, { traceparent: header }, getter));
        expect(ours?.traceId).toBe(theirs?.traceId);
        expect(ours?.parentId).toBe(theirs?.spanId);
        expect(ours?.flags).toBe(theirs?.traceFlags);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ctx.trace and the access log', () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });
  const echo = { fetch: (_request: Request, ctx: GatewayContext) => Response.json(ctx.trace ?? null) };
  const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

  test('a trusted proxy\'s traceparent and tracestate reach the app, and the trace id is logged', async () => {
    served = await serve(appSetOf([{ prefix: '/', app: echo }]));
    const res = await fetch(`${served.url}/x`, { headers: { traceparent: VALID, tracestate: 'rojo=1' } });
    expect(await res.json()).toEqual({ traceId: TRACE_ID, parentId: PARENT_ID, flags: 1, sampled: true, traceparent: VALID, tracestate: 'rojo=1' });
    await flush();
    expect(served.logs.find((l) => l.msg === 'request')).toMatchObject({ traceId: TRACE_ID, path: '/x' });
  });

  test('an invalid one is absent for the app and the log', async () => {
    served = await serve(appSetOf([{ prefix: '/', app: echo }]));
    const res = await fetch(`${served.url}/x`, { headers: { traceparent: VALID.toUpperCase(), tracestate: 'rojo=1' } });
    expect(await res.json()).toBeNull();
    await flush();
    expect(served.logs.find((l) => l.msg === 'request')).not.toHaveProperty('traceId');
  });

  test('an untrusted peer\'s is ignored, as its X-Request-Id is', async () => {
    served = await serve(appSetOf([{ prefix: '/', app: echo }]), { forwardedAllowIps: ['10.0.0.1'] });
    const res = await fetch(`${served.url}/x`, { headers: { traceparent: VALID } });
    expect(await res.json()).toBeNull();
  });
});
