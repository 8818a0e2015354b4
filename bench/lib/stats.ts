/*
 * Statistics and formatting shared by the benchmarks, so that they all report timings
 * the same way.
 */

/** Waits ms milliseconds; a slot already past (ms < 0) does not wait. */
export const sleep = (ms: number) =>
  new Promise(resolve => setTimeout(resolve, Math.max(0, ms)));

/** Nearest-rank percentile; NaN when there are no values. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length, Math.ceil((p / 100) * sorted.length)) - 1
  ];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Whole milliseconds, e.g. "1234 ms". */
export const formatMs = (v: number) => `${v.toFixed(0)} ms`;

/** "min … median … p95 … max …" of a set of timings. */
export function summarizeMs(values: number[]): string {
  return `min ${formatMs(Math.min(...values))}  median ${formatMs(
    median(values),
  )}  p95 ${formatMs(percentile(values, 95))}  max ${formatMs(
    Math.max(...values),
  )}`;
}
