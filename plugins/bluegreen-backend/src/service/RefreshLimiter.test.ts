import { databaseEngines } from '../__testUtils__/databases';
import { DatabaseLeaseStore } from '../database/DatabaseLeaseStore';
import { RefreshLimiter } from './RefreshLimiter';

const engines = databaseEngines();

describe.each(engines)('RefreshLimiter (two replicas on $name)', engine => {
  it('of 10 concurrent refreshes by one user on two replicas exactly one skips the cache; another user is not held up; the window then passes', async () => {
    const shared = await engine.create();
    const [a, b] = await Promise.all(
      [shared.replica(), shared.replica()].map(
        async database =>
          new RefreshLimiter(
            await DatabaseLeaseStore.create({ database }),
            300,
          ),
      ),
    );
    const user = 'user:default/platform-engineer';
    const allowed = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).allow(user)),
    );
    expect(allowed.filter(Boolean)).toHaveLength(1);
    expect(await a.allow('user:default/someone-else')).toBe(true);
    await new Promise(resolve => setTimeout(resolve, 350));
    expect(await b.allow(user)).toBe(true);
  });
});
