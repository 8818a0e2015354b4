import { CacheService } from '@backstage/backend-plugin-api';

/**
 * One `?refresh=true` per user per window: inside it the cached Route 53 read is served,
 * so no user can spend the account's Route 53 request budget (shared with both
 * clusters' external-dns) by refreshing in a loop. Kept in CacheService, so the window
 * holds across replicas that share a cache.
 */
export class RefreshLimiter {
  constructor(
    private readonly cache: CacheService,
    private readonly windowMs: number,
  ) {}

  /** Whether this user may skip the cache now; counts the refresh when so. */
  async allow(userEntityRef: string): Promise<boolean> {
    const key = `refresh-window:${userEntityRef}`;
    if ((await this.cache.get(key)) !== undefined) {
      return false;
    }
    await this.cache.set(key, true, { ttl: this.windowMs });
    return true;
  }
}
