/** Nearest-rank percentile: the smallest sample at or below which `fraction` of the samples fall. */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) throw new Error('no samples to take a percentile of');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

/** "p50 1.2 ms, p99 3.4 ms, max 5.6 ms": how the store benchmarks print a set of timings. */
export function spread(values: readonly number[]): string {
  return `p50 ${ms(percentile(values, 0.5))}, p99 ${ms(percentile(values, 0.99))}, max ${ms(Math.max(...values))}`;
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}
