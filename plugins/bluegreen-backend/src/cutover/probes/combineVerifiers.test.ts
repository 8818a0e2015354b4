import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { combineVerifiers } from './combineVerifiers';

const run = {} as CutoverRunRecord;

describe('combineVerifiers', () => {
  it('passes a hold only when every check passes, naming each one that fails, and merges the probe results', async () => {
    const verify = combineVerifiers(
      async () => ({
        ok: true,
        clusters: { blue: { requests: 20, successRatio: 1 } },
      }),
      async () => ({ ok: false, reason: 'green workloads ready: 1/2' }),
      async () => ({ ok: false }),
    );
    expect(await verify(run)).toEqual({
      ok: false,
      reason: 'green workloads ready: 1/2; a check failed',
      clusters: { blue: { requests: 20, successRatio: 1 } },
    });
  });

  it('fails a hold when a check cannot run (never passes what it could not verify)', async () => {
    const verify = combineVerifiers(
      async () => ({ ok: true }),
      async () => {
        throw new Error('the Kubernetes backend answered 503');
      },
    );
    expect(await verify(run)).toEqual({
      ok: false,
      reason: 'a check could not run: the Kubernetes backend answered 503',
      clusters: {},
    });
  });

  it('has nothing to say when no check has', async () => {
    expect(await combineVerifiers(async () => undefined)(run)).toBeUndefined();
  });
});
