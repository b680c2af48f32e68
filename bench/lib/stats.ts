/**
 * The arithmetic of a fair comparison: medians over rounds, and ratios taken round by round
 * (contender in round k against the gateway in round k) so that drift of a shared, noisy
 * machine cancels instead of landing on whoever ran during a slow minute.
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Per-round ratios `subject[k] / reference[k]`, over the rounds both have. */
export function pairRatios(subject: readonly number[], reference: readonly number[]): number[] {
  const n = Math.min(subject.length, reference.length);
  return Array.from({ length: n }, (_, k) => subject[k]! / reference[k]!);
}

/** Median of the per-round ratios: the figure the targets are checked against. */
export function pairedRatio(subject: readonly number[], reference: readonly number[]): number {
  return median(pairRatios(subject, reference));
}

/** Spread of a series as min–max, for the table's honesty column. */
export function range(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}
