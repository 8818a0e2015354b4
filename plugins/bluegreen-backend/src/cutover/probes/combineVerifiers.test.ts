import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { RunVerifier } from '../engine/CutoverEngine';
import { combineVerifiers } from './combineVerifiers';

const run = {} as CutoverRunRecord;
const gate = (name: string, verify: RunVerifier) => ({
  name,
  verify,
  gate: true,
});
const info = (name: string, verify: RunVerifier) => ({
  name,
  verify,
  gate: false,
});

describe('combineVerifiers', () => {
  it('passes a hold only when every check passes, naming each one that fails, and merges the probe results', async () => {
    const verify = combineVerifiers(
      [
        gate('probe', async () => ({
          ok: true,
          clusters: { blue: { requests: 20, successRatio: 1 } },
        })),
        gate('workloads', async () => ({
          ok: false,
          reason: 'green workloads ready: 1/2',
        })),
        info('DNS', async () => ({ ok: false })),
      ],
      1000,
    );
    expect(await verify(run)).toEqual({
      ok: false,
      reason: 'green workloads ready: 1/2; a check failed',
      clusters: { blue: { requests: 20, successRatio: 1 } },
    });
  });

  it('fails a hold when a gate cannot run or does not finish in time (never passes what it could not verify)', async () => {
    const verify = combineVerifiers(
      [
        gate('probe', async () => ({ ok: true })),
        gate('workloads', async () => {
          throw new Error('the Kubernetes backend answered 503');
        }),
        gate('slow', () => new Promise(() => {})),
      ],
      100,
    );
    expect(await verify(run)).toEqual({
      ok: false,
      reason:
        'workloads could not run: the Kubernetes backend answered 503; slow could not run: did not finish within 100 ms',
      clusters: {},
    });
  });

  it('notes an informative check that cannot run or finish, without failing the hold (a throttled metrics API must not roll back a healthy cutover)', async () => {
    const verify = combineVerifiers(
      [
        gate('probe', async () => ({ ok: true })),
        info('CloudWatch', async () => {
          throw new Error('Throttling: Rate exceeded');
        }),
        info('DNS', () => new Promise(() => {})),
      ],
      100,
    );
    expect(await verify(run)).toEqual({
      ok: true,
      clusters: {},
      notes: [
        'CloudWatch could not run: Throttling: Rate exceeded',
        'DNS could not run: did not finish within 100 ms',
      ],
    });
  });

  it('merges what each check saw of a cluster, field by field', async () => {
    const verify = combineVerifiers(
      [
        gate('probe', async () => ({
          ok: true,
          clusters: { green: { requests: 20, successRatio: 1 } },
        })),
        info('DNS', async () => ({
          ok: true,
          clusters: { green: { dnsShare: 0.5 }, blue: { dnsShare: 0.5 } },
        })),
      ],
      1000,
    );
    expect((await verify(run))?.clusters).toEqual({
      blue: { dnsShare: 0.5 },
      green: { requests: 20, successRatio: 1, dnsShare: 0.5 },
    });
  });

  it('has nothing to say when no check has', async () => {
    expect(
      await combineVerifiers([gate('probe', async () => undefined)], 1000)(run),
    ).toBeUndefined();
  });
});
