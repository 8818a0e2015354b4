import crypto from 'node:crypto';
import { LeaseStore } from '../database/LeaseStore';

/**
 * One `?refresh=true` per user per window: inside it the cached Route 53 read is served,
 * so no user can spend the account's Route 53 request budget (shared with both
 * clusters' external-dns) by refreshing in a loop. The window is a lease in the plugin's
 * database, never released: one upsert only one request can win, on every replica at
 * once (a get-then-set in the cache would let concurrent refreshes through).
 */
export class RefreshLimiter {
  constructor(
    private readonly leases: LeaseStore,
    private readonly windowMs: number,
  ) {}

  /** Whether this user may skip the cache now; counts the refresh when so. */
  async allow(userEntityRef: string): Promise<boolean> {
    const result = await this.leases.acquire(
      `refresh-window:${userEntityRef}`,
      { taskId: `refresh:${crypto.randomUUID()}`, user: userEntityRef },
      this.windowMs,
    );
    return result.acquired;
  }
}
