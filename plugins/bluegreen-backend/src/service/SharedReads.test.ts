import { CacheService } from '@backstage/backend-plugin-api';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { RedisServer, startRedis } from '@bluegreen/example-replicas';
import { databaseEngines } from '../__testUtils__/databases';
import { DatabaseLeaseStore } from '../database/DatabaseLeaseStore';
import { SharedReads } from './SharedReads';

const engines = databaseEngines();
let redis: RedisServer;

const stores: Keyv[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  // Clients first: a server that goes away under them is an error of theirs.
  await Promise.all(stores.map(store => store.disconnect()));
  await redis?.stop();
});

/**
 * One replica's CacheService on the shared Redis: Keyv on @keyv/redis, the store
 * Backstage's cache manager uses for `store: redis`, here so the test can disconnect it
 * (Backstage's CacheService has no close). Replicas of one app share a namespace.
 */
function redisCache(namespace: string): CacheService {
  const store = new Keyv({ store: new KeyvRedis(redis.url), namespace });
  stores.push(store);
  const cache: CacheService = {
    get: async key => store.get(key),
    set: async (key, value, options) => {
      await store.set(key, value, options?.ttl as number | undefined);
    },
    delete: async key => {
      await store.delete(key);
    },
    withOptions: () => cache,
  };
  return cache;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe.each(engines)(
  'SharedReads across replicas (Redis, leases in $name)',
  engine => {
    /** Two replicas: their own SharedReads, leases and cache clients, one Redis, one database. */
    async function replicas(
      options: {
        readLeaseMs?: number;
        firstDies?: boolean;
        /** Wraps each replica's cache (a barrier, say). */
        cache?: (cache: CacheService) => CacheService;
      } = {},
    ) {
      const shared = await engine.create();
      const namespace = `test-${Math.random()}`;
      const make = async (dies = false) => {
        const leases = await DatabaseLeaseStore.create({
          database: shared.replica(),
        });
        // A dead replica renews nothing.
        if (dies) leases.renew = async () => false;
        return new SharedReads({
          cache: (options.cache ?? (c => c))(redisCache(namespace)),
          leases,
          readLeaseMs: options.readLeaseMs,
        });
      };
      return [await make(options.firstDies), await make()];
    }

    it('when both replicas miss the cache before either claims the read (a barrier), the miss still costs one read', async () => {
      // Each replica's first cache read of the key waits until both have made it.
      let arrived = 0;
      let open!: () => void;
      const barrier = new Promise<void>(resolve => (open = resolve));
      const [a, b] = await replicas({
        cache: cache => {
          let first = true;
          const gated: CacheService = {
            ...cache,
            get: async <T>(key: string) => {
              const value = await cache.get(key);
              if (first && key === 'traffic:barrier') {
                first = false;
                if (++arrived === 2) open();
                await barrier;
              }
              return value as T | undefined;
            },
          };
          return gated;
        },
      });
      let reads = 0;
      const read = async () => {
        reads += 1;
        await sleep(20);
        return 'once';
      };
      expect(
        await Promise.all([
          a.get('traffic:barrier', 10_000, read),
          b.get('traffic:barrier', 10_000, read),
        ]),
      ).toEqual(['once', 'once']);
      expect(arrived).toBe(2);
      expect(reads).toBe(1);
    });

    it('a miss seen by both replicas at once costs one read, over 20 random interleavings; every caller gets its value', async () => {
      const [a, b] = await replicas();
      for (let round = 0; round < 20; round++) {
        let reads = 0;
        const key = `traffic:round-${round}`;
        const read = async () => {
          reads += 1;
          await sleep(Math.random() * 40);
          return { round };
        };
        // Random start offsets: sometimes both miss before either claims, sometimes one
        // claims first; several viewers per replica.
        const callers = Array.from({ length: 6 }, async (_, i) => {
          await sleep(Math.random() * 15);
          return (i % 2 ? a : b).get(key, 10_000, read);
        });
        expect(await Promise.all(callers)).toEqual(
          Array.from({ length: 6 }, () => ({ round })),
        );
        expect(reads).toBe(1);
      }
    });

    it('after the reading replica fails, the waiting replica reads itself (one more read, not one per viewer)', async () => {
      const [a, b] = await replicas();
      let reads = 0;
      let release!: () => void;
      const failing = () =>
        new Promise<never>((_, reject) => {
          reads += 1;
          release = () => reject(new Error('Throttling: Rate exceeded'));
        });
      const first = a.get('traffic:failing', 10_000, failing);
      first.catch(() => undefined);
      await sleep(100);
      const waiting = Promise.all(
        [1, 2, 3].map(() =>
          b.get('traffic:failing', 10_000, async () => {
            reads += 1;
            return 'fresh from b';
          }),
        ),
      );
      await sleep(100);
      expect(reads).toBe(1);
      release();
      await expect(first).rejects.toThrow('Throttling');
      expect(await waiting).toEqual([
        'fresh from b',
        'fresh from b',
        'fresh from b',
      ]);
      expect(reads).toBe(2);
    });

    it('a slow read (longer than the read lease) keeps its lease: the other replica waits for its value instead of reading too', async () => {
      const [a, b] = await replicas({ readLeaseMs: 300 });
      let reads = 0;
      const slow = async () => {
        reads += 1;
        await sleep(1000);
        return 'slow value';
      };
      const first = a.get('traffic:slow', 10_000, slow);
      await sleep(50);
      expect(await b.get('traffic:slow', 10_000, slow)).toBe('slow value');
      expect(await first).toBe('slow value');
      expect(reads).toBe(1);
    });

    it('a replica that dies mid-read holds the others up only until its read lease lapses', async () => {
      const [a, b] = await replicas({ readLeaseMs: 500, firstDies: true });
      // a's read never ends, renews and releases nothing: its process is gone.
      a.get('traffic:dead', 10_000, () => new Promise<never>(() => {}));
      await sleep(50);
      const started = Date.now();
      expect(await b.get('traffic:dead', 10_000, async () => 'b read it')).toBe(
        'b read it',
      );
      // It waited for the lease to lapse (500 ms from a's claim), not longer.
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  },
);

describe('SharedReads when the database fails', () => {
  it('still reads (alone) when the read lease cannot be taken', async () => {
    const failing = {
      acquire: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    } as unknown as DatabaseLeaseStore;
    const reads = new SharedReads({
      cache: redisCache(`down-${Math.random()}`),
      leases: failing,
    });
    expect(await reads.get('k', 10_000, async () => 'read anyway')).toBe(
      'read anyway',
    );
  });
});

describe('SharedReads without a lease store (one replica)', () => {
  it('concurrent misses in one process still join one read', async () => {
    const reads = new SharedReads({ cache: redisCache('single') });
    let count = 0;
    const values = await Promise.all(
      Array.from({ length: 10 }, () =>
        reads.get('k', 10_000, async () => {
          count += 1;
          await sleep(20);
          return 42;
        }),
      ),
    );
    expect(values).toEqual(Array(10).fill(42));
    expect(count).toBe(1);
  });
});
