import { createAutoscalePlugin } from '../../../gateway/autoscale/plugin.ts';
import type { AutoscaleResult } from '../../../gateway/autoscale/policy.ts';
import { DEFAULT_AUTOSCALE_SETTINGS } from '../../../gateway/autoscale/settings.ts';
import type { WorkerRecord } from '../../../gateway/master/worker-record.ts';

const bounds = { initial: 1, min: 1, max: 3, autoscale: true };
const busy = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, state: 'ready', load: { elu: 0.95, inFlight: 3, requests: 0, rss: 0 } }) as unknown as WorkerRecord);

describe('autoscale plugin for the arbiter', () => {
  test('proposes a bigger pool after a busy streak and reports every decision', () => {
    const decisions: AutoscaleResult[] = [];
    const plugin = createAutoscalePlugin({ settings: () => DEFAULT_AUTOSCALE_SETTINGS, onDecision: (r) => decisions.push(r) });
    const targets = [0, 1000, 2000, 3000].map((now) => plugin.autoscale({ now, target: 1, bounds, workers: busy(1) }));
    expect(targets).toEqual([1, 1, 1, 2]);
    expect(decisions.map((d) => d.decision)).toEqual(['hold', 'hold', 'hold', 'up']);
  });

  test('a manual move starts a cooldown, and the plugin follows targets the arbiter set itself', () => {
    const plugin = createAutoscalePlugin({ settings: () => DEFAULT_AUTOSCALE_SETTINGS });
    plugin.autoscale({ now: 0, target: 1, bounds, workers: busy(1) });
    plugin.manualTarget(2, 500);
    // Busy for 4 s right after the move: still cooling down (5 s), so no further growth.
    for (const now of [1000, 2000, 3000, 4000]) expect(plugin.autoscale({ now, target: 2, bounds, workers: busy(2) })).toBe(2);
    // The arbiter lowered the target (a reload with a smaller max): the policy takes it as given.
    expect(plugin.autoscale({ now: 20_000, target: 1, bounds: { ...bounds, max: 1 }, workers: busy(1) })).toBe(1);
  });
});
