import crypto from 'node:crypto';
import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { LeaseStore } from '../database/LeaseStore';

/** How long a read lease lasts unless renewed (its reader renews it while reading). */
const DEFAULT_READ_LEASE_MS = 10_000;
const DEFAULT_POLL_MS = 50;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Reads of the account-wide Route 53 (and EKS) budget, shared by every viewer of every
 * replica: cached through CacheService (Redis when the replicas share one), and a miss
 * seen by several at once costs one read.
 *
 * - In one process, concurrent misses join one promise.
 * - Across replicas, the one that wins a short lease in the plugin's database reads and
 *   caches; the others wait for the value to appear in the shared cache. The database,
 *   not the cache: CacheService has no atomic set-if-absent (a get and a set race), while
 *   the lease is one upsert only one replica can win, on SQLite and PostgreSQL alike, and
 *   it lapses by itself if the reader dies. Only misses touch the database.
 * - A waiter that sees the lease gone without a value (the read failed, or its replica
 *   died) claims it and reads itself.
 */
export class SharedReads {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly readLeaseMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly options: {
      cache: CacheService;
      /** Leases across replicas; without it, reads are shared within this process only. */
      leases?: LeaseStore;
      readLeaseMs?: number;
      pollMs?: number;
    },
  ) {
    this.readLeaseMs = options.readLeaseMs ?? DEFAULT_READ_LEASE_MS;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  }

  /**
   * The cached value of `key`, or `read()`'s, cached for `ttlMs`. `fresh` skips the cache
   * (a view that has just changed the weights); concurrent fresh reads in this process
   * still share one request, but replicas do not wait for each other's (a value cached
   * by another replica may predate the change).
   */
  async get<T>(
    key: string,
    ttlMs: number,
    read: () => Promise<T>,
    fresh = false,
  ): Promise<T> {
    const cached = fresh ? undefined : await this.options.cache.get(key);
    if (cached !== undefined) {
      return cached as T;
    }
    // Decided synchronously after the cache miss, so concurrent callers join one read.
    const joined = `${fresh ? 'fresh' : 'cached'}:${key}`;
    let pending = this.inFlight.get(joined) as Promise<T> | undefined;
    if (!pending) {
      const store = async () => {
        const value = await read();
        await this.options.cache.set(key, value as JsonValue, { ttl: ttlMs });
        return value;
      };
      pending = (
        fresh || !this.options.leases
          ? store()
          : this.acrossReplicas(key, store)
      ).finally(() => this.inFlight.delete(joined));
      this.inFlight.set(joined, pending);
    }
    return pending;
  }

  private async acrossReplicas<T>(
    key: string,
    store: () => Promise<T>,
  ): Promise<T> {
    const leases = this.options.leases!;
    const leaseKey = `read:${key}`;
    const holder = { taskId: `read:${crypto.randomUUID()}`, user: 'bluegreen' };
    for (;;) {
      const claim = await leases
        .acquire(leaseKey, holder, this.readLeaseMs)
        .catch(() => undefined);
      if (!claim) {
        // The database is unreachable: read alone rather than show no status.
        return store();
      }
      if (claim.acquired) {
        // Kept while the read takes (an SDK backing off on Throttling): the others wait
        // for it rather than read too, exactly when the budget is short.
        // Not for ever: a read that never ends stops holding the others up after a minute.
        const renewUntil = Date.now() + 6 * this.readLeaseMs;
        const renewal = setInterval(() => {
          if (Date.now() > renewUntil) {
            clearInterval(renewal);
            return;
          }
          leases
            .renew(leaseKey, holder.taskId, this.readLeaseMs)
            .catch(() => undefined);
        }, this.readLeaseMs / 3);
        try {
          // Another replica may have read, cached and released between our miss and
          // our claim: its value serves (it caches before it releases).
          const cached = await this.options.cache.get(key);
          if (cached !== undefined) {
            return cached as T;
          }
          return await store();
        } finally {
          clearInterval(renewal);
          // A lease not released lapses by itself.
          await leases.release(leaseKey, holder.taskId).catch(() => undefined);
        }
      }
      // Another replica is reading: its value arrives in the shared cache.
      for (;;) {
        await sleep(this.pollMs);
        const value = await this.options.cache.get(key);
        if (value !== undefined) {
          return value as T;
        }
        if (!(await leases.holder(leaseKey).catch(() => undefined))) {
          // Cached before released: a value set just now is there.
          const late = await this.options.cache.get(key);
          if (late !== undefined) {
            return late as T;
          }
          break;
        }
      }
    }
  }
}
