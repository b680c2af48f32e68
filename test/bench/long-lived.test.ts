/**
 * The long-lived benchmark's arithmetic: ratios to the bare cluster taken round by round, the A/A
 * twin's beside them, and issue 11's goals checked against the medians.
 */
import { describe, expect, test } from '@jest/globals';
import type { Side } from '../../bench/long-lived/measure.ts';
import { summarizeLongLived, type LongLivedRound } from '../../bench/long-lived/run.ts';

/** One round from echo rates and idle bytes per side (gateway, bare, twin) and SSE first bytes. */
function round(echo: [number, number, number], idle: [number, number, number], sse: [number, number] = [0.4, 0.5]): LongLivedRound {
  const sides: Side[] = ['gateway', 'bare', 'bare-twin'];
  const of = <T>(values: T[]) => Object.fromEntries(sides.map((s, i) => [s, values[i]])) as Record<Side, T>;
  return {
    order: sides,
    echo: of(echo.map((perSecond) => ({ perSecond, p99Ms: 1000 / perSecond, cpuUsPerTrip: 20 }))),
    idleRssB: of(idle),
    sseFirstByteMs: { direct: sse[0], nginx: sse[1] },
  };
}

const byName = (rounds: LongLivedRound[], what: string) => summarizeLongLived(rounds).find((f) => f.what.startsWith(what))!;

describe('long-lived figures', () => {
  test('a slow round that hits every side alike cancels out of the echo ratio; the A/A twin sits beside it', () => {
    const echo = byName([round([960, 1000, 1010], [7000, 7000, 7000]), round([480, 500, 490], [7000, 7000, 7000]), round([950, 1000, 1000], [7000, 7000, 7000])], 'WebSocket echo round trips');
    expect(echo.gateway.value).toBeCloseTo(0.96);
    expect(echo.gateway.spread).toEqual([0.95, 0.96]);
    expect(echo.control!.value).toBeCloseTo(1.0);
    expect(echo.control!.spread[0]).toBeCloseTo(0.98);
    expect(echo.goal).toEqual({ text: '≥ 0.95', met: true });
    expect(echo.values).toEqual({ gateway: 950, bare: 1000, 'bare-twin': 1000 });
  });

  test('the goals: echo below 0.95 and idle memory above 1.1× are not met; SSE within 1 ms of direct is', () => {
    const rounds = [round([900, 1000, 1000], [8000, 7000, 7100]), round([930, 1000, 990], [8200, 7000, 6900])];
    expect(byName(rounds, 'WebSocket echo round trips').goal!.met).toBe(false);
    const idle = byName(rounds, 'worker RSS per idle');
    expect(idle.gateway.value).toBeCloseTo((8000 / 7000 + 8200 / 7000) / 2);
    expect(idle.goal).toEqual({ text: '≤ 1.10', met: false });
    const sse = byName(rounds, 'SSE first byte');
    expect(sse.gateway.value).toBeCloseTo(0.1);
    expect(sse.goal!.met).toBe(true);
    expect(byName([round([1, 1, 1], [1, 1, 1], [0.4, 1.6])], 'SSE first byte').goal!.met).toBe(false);
  });
});
