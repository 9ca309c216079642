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

/**
 * Prints a target's verdict line, `  MET: <what> <median> (p25–p75 …, target <target>)`: from the
 * rounds' values by verdictOf (UNSETTLED when their spread straddles the target), or from one value.
 */
export function printVerdict(
  what: string,
  values: number | number[],
  target: { text: string; meets: (value: number) => boolean },
  digits = 3,
): void {
  const all = typeof values === 'number' ? [values] : values;
  const spread =
    all.length > 1 ? `, p25–p75 ${fmt(percentile(all, 25), digits)}–${fmt(percentile(all, 75), digits)} over ${all.length}` : '';
  console.log(`  ${verdictOf(all, target.meets)}: ${what} ${fmt(median(all), digits)}${spread} (target ${target.text})`);
}
