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
  let lost = false;
  const timer = setInterval(() => {
    leases.renew(key, holder.taskId, ttlSeconds).then(
      renewed => {
        lost ||= !renewed;
      },
      () => {
        // A failed renewal is retried at the next tick; the lease is still ours until then.
      },
    );
  }, (ttlSeconds * 1000) / 3);
  try {
    const value = await work();
    if (lost) {
      throw new Error(
        `the cutover lease of ${target.hostname} lapsed while this step ran (the backend could not renew it); check the records before another cutover`,
      );
    }
    return value;
  } finally {
    clearInterval(timer);
    await leases.release(key, holder.taskId).catch(() => undefined);
  }
}
