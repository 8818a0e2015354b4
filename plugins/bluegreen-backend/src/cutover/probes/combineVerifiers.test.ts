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

  it('merges what each check saw of a cluster, field by field', async () => {
    const verify = combineVerifiers(
      async () => ({
        ok: true,
        clusters: { green: { requests: 20, successRatio: 1 } },
      }),
      async () => ({
        ok: true,
        clusters: { green: { dnsShare: 0.5 }, blue: { dnsShare: 0.5 } },
      }),
    );
    expect((await verify(run))?.clusters).toEqual({
      blue: { dnsShare: 0.5 },
      green: { requests: 20, successRatio: 1, dnsShare: 0.5 },
    });
  });

  it('has nothing to say when no check has', async () => {
    expect(await combineVerifiers(async () => undefined)(run)).toBeUndefined();
  });
});
