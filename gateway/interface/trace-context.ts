/**
 * W3C Trace Context (`traceparent`, `tracestate`) as the gateway keeps it: parsed from the headers
 * a trusted proxy sent, checked against the W3C rules, handed to the app as `ctx.trace`. The static
 * tier applies the same rule (nginx/spec.ts TRACEPARENT_PATTERN) and starts a trace when none
 * arrives, so behind nginx every request carries one.
 */
import type { TraceContext } from './types.ts';

/**
 * Version 00 exactly: lowercase hex, 55 characters. A future version (01–fe, which W3C asks
 * receivers to parse by the 00 layout) is refused and its trace restarted, the same at both tiers;
 * none has been published.
 */
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

/**
 * W3C asks receivers to keep at least 512 characters of tracestate and allows dropping more; a
 * value with characters outside visible ASCII, space and tab is not a list-member list at all.
 */
const TRACESTATE = /^[\x20-\x7e\t]{0,512}$/;

/**
 * The trace context of a request, or undefined when `traceparent` is absent or invalid (W3C:
 * then tracestate must not be used either). Header values as Node gives them: a repeated
 * traceparent arrives joined with ", " and is invalid, as W3C says it must be.
 */
export function parseTraceContext(traceparent: unknown, tracestate: unknown): TraceContext | undefined {
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return undefined;
  const traceId = traceparent.slice(3, 35);
  const parentId = traceparent.slice(36, 52);
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_PARENT_ID) return undefined;
  const flags = Number.parseInt(traceparent.slice(53), 16);
  const state = typeof tracestate === 'string' && TRACESTATE.test(tracestate) ? tracestate.trim() : '';
  return { traceId, parentId, flags, sampled: (flags & 1) === 1, traceparent, ...(state ? { tracestate: state } : {}) };
}

/** A version-00 traceparent for these ids and flags (lowercase hex, as W3C requires). */
export function formatTraceparent(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-${(flags & 0xff).toString(16).padStart(2, '0')}`;
}
