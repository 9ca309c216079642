// Small statistics helpers shared by the benchmarks.
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[mid]!;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const fmt = (value: number, digits = 2): string => value.toFixed(digits);

/** A target's verdict line starts with one of these words. */
export type Verdict = 'MET' | 'NOT MET' | 'UNSETTLED';

/** By the median, unless the p25–p75 spread straddles the target: then this run does not settle it. */
export function verdictOf(values: number[], meets: (value: number) => boolean): Verdict {
  if (meets(percentile(values, 25)) !== meets(percentile(values, 75))) return 'UNSETTLED';
  return meets(median(values)) ? 'MET' : 'NOT MET';
}
