/**
 * Viewers polling an entity's traffic status, counted against the Route 53 requests the
 * AWS sandbox (a LOCAL STAND-IN for Route 53 and EKS, not AWS) received meanwhile: what
 * bench/status-reads and the replica tests measure.
 */

/** The sandbox's operation names that are Route 53 operations (the rest are EKS). */
export const ROUTE53_OPERATIONS = [
  'GetHostedZone',
  'ListHostedZones',
  'ListHostedZonesByName',
  'ListResourceRecordSets',
  'ChangeResourceRecordSets',
  'GetChange',
  // Only Route 53 requests are throttled; a throttled one counts only under this name.
  'Throttled',
];

export interface ViewersResult {
  viewers: number;
  served: number;
  failed: number;
  failures: string[];
  latenciesMs: number[];
  counts: Record<string, number>;
  route53: number;
  /** Status requests per backend URL. */
  perBackend: Record<string, number>;
}

export function route53Requests(counts: Record<string, number>): number {
  return ROUTE53_OPERATIONS.reduce((sum, op) => sum + (counts[op] ?? 0), 0);
}

/**
 * `viewers` viewers of `entity` (kind/namespace/name), viewer i polling backend
 * i % backends.length, all starting at once (a cold cache and a burst of identical reads)
 * and then each on its own fixed schedule (start + k × interval); a slow answer delays
 * only that viewer's next poll. The sandbox's counts are reset first.
 */
export async function pollStatus(options: {
  backends: string[];
  token: string;
  entity: string;
  viewers: number;
  durationMs: number;
  intervalMs: number;
  sandbox: {
    requestCounts(): Record<string, number>;
    resetRequestCounts(): void;
  };
}): Promise<ViewersResult> {
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  const perBackend: Record<string, number> = {};
  options.sandbox.resetRequestCounts();
  const start = Date.now();
  const viewer = async (index: number) => {
    const base = options.backends[index % options.backends.length];
    const url = `${base}/api/bluegreen/entity/${options.entity}/traffic`;
    for (let k = 0; ; k++) {
      const slot = start + k * options.intervalMs;
      if (slot - start >= options.durationMs) return;
      await new Promise(resolve =>
        setTimeout(resolve, Math.max(0, slot - Date.now())),
      );
      const sent = process.hrtime.bigint();
      try {
        const res = await fetch(url, {
          headers: { Authorization: `Bearer ${options.token}` },
        });
        const body = await res.text();
        latenciesMs.push(Number(process.hrtime.bigint() - sent) / 1e6);
        perBackend[base] = (perBackend[base] ?? 0) + 1;
        if (res.status !== 200) {
          failures.push(`${res.status} ${body.slice(0, 200)}`);
        }
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  await Promise.all(
    Array.from({ length: options.viewers }, (_, i) => viewer(i)),
  );
  const counts = options.sandbox.requestCounts();
  return {
    viewers: options.viewers,
    served: latenciesMs.length - failures.length,
    failed: failures.length,
    failures,
    latenciesMs,
    counts,
    route53: route53Requests(counts),
    perBackend,
  };
}
