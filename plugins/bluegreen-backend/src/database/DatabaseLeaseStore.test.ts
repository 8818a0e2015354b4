import { databaseEngines } from '../__testUtils__/databases';
import { sqliteDatabase } from '../__testUtils__/security';
import { DatabaseLeaseStore } from './DatabaseLeaseStore';

const engines = databaseEngines();

describe.each(engines)(
  'DatabaseLeaseStore ($name shared by two replicas)',
  engine => {
    async function replicas(now?: () => Date) {
      const shared = await engine.create();
      const a = await DatabaseLeaseStore.create({
        database: shared.replica(),
        now,
      });
      const b = await DatabaseLeaseStore.create({
        database: shared.replica(),
        now,
      });
      return { a, b };
    }

    it('of 20 concurrent acquisitions of one record group from two replicas exactly one wins; the others are told the holder', async () => {
      const { a, b } = await replicas();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).acquire(
            'Z1:burnham.example.com.:A',
            { taskId: `task-${i}`, user: `user:default/u${i}` },
            60_000,
          ),
        ),
      );
      const winners = results.filter(r => r.acquired);
      expect(winners).toHaveLength(1);
      const winner = results.findIndex(r => r.acquired);
      for (const result of results.filter(r => !r.acquired)) {
        expect(result).toMatchObject({
          acquired: false,
          holder: { taskId: `task-${winner}`, user: `user:default/u${winner}` },
        });
      }
      expect(await b.holder('Z1:burnham.example.com.:A')).toMatchObject({
        taskId: `task-${winner}`,
      });
    });

    it('different record groups do not exclude each other', async () => {
      const { a, b } = await replicas();
      const holder = { taskId: 't1', user: 'u' };
      expect(await a.acquire('Z1:a.example.com.:A', holder, 60_000)).toEqual({
        acquired: true,
      });
      expect(
        await b.acquire(
          'Z1:b.example.com.:A',
          { taskId: 't2', user: 'u' },
          60_000,
        ),
      ).toEqual({ acquired: true });
    });

    it("a crashed holder's lease lapses: after its time another replica acquires it; the old holder can no longer renew", async () => {
      let now = new Date('2026-12-01T10:00:00Z');
      const { a, b } = await replicas(() => now);
      const key = 'Z1:burnham.example.com.:A';
      await a.acquire(key, { taskId: 'crashed', user: 'u1' }, 60_000);
      expect(
        await b.acquire(key, { taskId: 'next', user: 'u2' }, 60_000),
      ).toMatchObject({ acquired: false, holder: { taskId: 'crashed' } });

      now = new Date('2026-12-01T10:01:01Z');
      expect(await b.holder(key)).toBeUndefined();
      expect(
        await b.acquire(key, { taskId: 'next', user: 'u2' }, 60_000),
      ).toEqual({ acquired: true });
      expect(await a.renew(key, 'crashed', 60_000)).toBe(false);
      expect(await b.renew(key, 'next', 60_000)).toBe(true);
    });

    it('release frees it for the next cutover, and only the holder can release', async () => {
      const { a, b } = await replicas();
      const key = 'Z1:burnham.example.com.:A';
      await a.acquire(key, { taskId: 't1', user: 'u1' }, 60_000);
      await b.release(key, 'someone-else');
      expect(await b.holder(key)).toMatchObject({ taskId: 't1' });
      await a.release(key, 't1');
      expect(await b.holder(key)).toBeUndefined();
      expect(
        await b.acquire(key, { taskId: 't2', user: 'u2' }, 60_000),
      ).toEqual({
        acquired: true,
      });
    });
  },
);

describe('DatabaseLeaseStore, the same task again', () => {
  it('a step run again by its task re-acquires and extends its own lease', async () => {
    let now = new Date('2026-12-01T10:00:00Z');
    const store = await DatabaseLeaseStore.create({
      database: sqliteDatabase(),
      now: () => now,
    });
    const key = 'Z1:burnham.example.com.:A';
    await store.acquire(key, { taskId: 't1', user: 'u' }, 60_000);
    now = new Date('2026-12-01T10:00:50Z');
    expect(
      await store.acquire(key, { taskId: 't1', user: 'u' }, 60_000),
    ).toEqual({ acquired: true });
    expect((await store.holder(key))?.expiresAt).toBe(
      '2026-12-01T10:01:50.000Z',
    );
  });
});
