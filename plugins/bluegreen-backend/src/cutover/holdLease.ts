import { leaseHeldError, leaseKey } from '../database/LeaseStore';
import { TrafficTarget } from '../security/TrafficTargets';
import { CutoverLeases } from './CutoverLeaseClient';

/**
 * Runs `work` under the record group's cutover lease: refused at once (409, naming the
 * holder) while another task holds it; renewed every third of its time while `work` runs
 * (a long INSYNC wait); released when `work` ends, fails or is cancelled. A holder that
 * crashes stops renewing, so the lease lapses after `ttlSeconds`.
 */
export async function holdLease<T>(
  leases: CutoverLeases,
  target: TrafficTarget,
  holder: { taskId: string; user: string },
  ttlSeconds: number,
  work: () => Promise<T>,
): Promise<T> {
  const key = leaseKey(target.zone.zone, target.hostname, target.recordType);
  const result = await leases.acquire(key, holder, ttlSeconds);
  if (!result.acquired) {
    throw leaseHeldError(target.hostname, result.holder);
  }
  // Ours for ttlSeconds after the last renewal that succeeded; renewals that fail (the
  // plugin unreachable) or answer "not yours" stop extending it.
  let heldUntil = Date.now() + ttlSeconds * 1000;
  let lost = false;
  const timer = setInterval(() => {
    const asked = Date.now();
    leases.renew(key, holder.taskId, ttlSeconds).then(
      renewed => {
        if (renewed) {
          heldUntil = asked + ttlSeconds * 1000;
        } else {
          lost = true;
        }
      },
      () => undefined /* retried at the next tick */,
    );
  }, (ttlSeconds * 1000) / 3);
  try {
    const value = await work();
    if (lost || Date.now() > heldUntil) {
      throw new Error(
        `the cutover lease of ${target.hostname} lapsed while this step ran (the backend could not renew it), so another cutover may have run meanwhile; check the records before the next one`,
      );
    }
    return value;
  } finally {
    clearInterval(timer);
    await leases.release(key, holder.taskId).catch(() => undefined);
  }
}
