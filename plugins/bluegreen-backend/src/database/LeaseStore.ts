import { ConflictError } from '@backstage/errors';

/** Who holds a record group's cutover lease. */
export interface LeaseHolder {
  /** The scaffolder task that holds it. */
  taskId: string;
  /** Its initiator. */
  user: string;
  /** ISO time it was acquired. */
  since: string;
  /** ISO time it lapses unless renewed. */
  expiresAt: string;
}

/** The outcome of an acquisition: held by us, or by someone else. */
export type LeaseResult =
  | { acquired: true }
  | { acquired: false; holder: LeaseHolder };

/**
 * One cutover per Route 53 record group at a time, across replicas: leases that expire
 * unless renewed, so a crashed holder frees the record by itself.
 */
export interface LeaseStore {
  acquire(
    key: string,
    holder: { taskId: string; user: string },
    ttlMs: number,
  ): Promise<LeaseResult>;
  /** False when the lease is no longer ours (it expired and someone took it). */
  renew(key: string, taskId: string, ttlMs: number): Promise<boolean>;
  release(key: string, taskId: string): Promise<void>;
  /** The current holder, if the lease is held and has not expired. */
  holder(key: string): Promise<LeaseHolder | undefined>;
}

/** The lease key of a record group. */
export function leaseKey(zoneId: string, name: string, type: string): string {
  return `${zoneId}:${name.toLowerCase().replace(/\.?$/, '.')}:${type}`;
}

/** The 409 answer naming who holds a record group. */
export function leaseHeldError(hostname: string, holder: LeaseHolder) {
  return new ConflictError(
    `another cutover of ${hostname} is in progress: task ${holder.taskId} by ${holder.user} since ${holder.since}; wait for it to end (or for its lease to lapse at ${holder.expiresAt} if it crashed)`,
  );
}
