/**
 * Runs `work` `count` times, `size` at a time (a probe's requests or queries: bounded
 * concurrency against one endpoint); the results in order.
 */
export async function inBatches<T>(
  count: number,
  size: number,
  work: () => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i += size) {
    const batch = Math.min(size, count - i);
    results.push(...(await Promise.all(Array.from({ length: batch }, work))));
  }
  return results;
}
