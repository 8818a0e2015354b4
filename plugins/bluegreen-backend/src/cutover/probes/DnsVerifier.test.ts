/*
 * The DNS check against the sandbox's DNS stand-in (UDP, answering from the sandbox's
 * Route 53 records: a local stand-in for Route 53's name servers, not Route 53), with
 * the weights written through the real AWS SDK.
 */
import { presetPlan, Weights } from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import {
  dnsServer,
  useProbeSandbox,
  sandboxEndpoints,
  setSandboxWeights,
} from '../../__testUtils__/probeEndpoints';
import { initialRunState } from '../engine/runState';
import { dnsVerifier } from './DnsVerifier';

const QUERIES = 60;
const plan = presetPlan('staged', { blue: 100, green: 0 }, 'green');
const runAt = (weights: Weights) =>
  ({ plan, state: { ...initialRunState(plan), weights } } as CutoverRunRecord);

describe('dnsVerifier (against the sandbox DNS stand-in)', () => {
  const env = useProbeSandbox();
  const verifier = async () => {
    const endpoints = await sandboxEndpoints(env.sandbox, env.client);
    return dnsVerifier({
      endpointsOf: async () => endpoints,
      settings: {
        servers: [dnsServer(env.sandbox)],
        queries: QUERIES,
        timeoutMs: 2000,
      },
    });
  };

  it(`counts ${QUERIES} answers per set identifier at 50/50: each cluster 25-75 % (about 3.9 standard deviations), and passes`, async () => {
    await setSandboxWeights(env.client, { blue: 50, green: 50 });
    const result = await (await verifier())(runAt({ blue: 50, green: 50 }));
    expect(result).toEqual({
      ok: true,
      clusters: {
        blue: { dnsShare: expect.any(Number) },
        green: { dnsShare: expect.any(Number) },
      },
    });
    const { blue, green } = result!.clusters!;
    expect(blue!.dnsShare! + green!.dnsShare!).toBeCloseTo(1);
    for (const share of [blue!.dnsShare!, green!.dnsShare!]) {
      expect(share).toBeGreaterThanOrEqual(0.25);
      expect(share).toBeLessThanOrEqual(0.75);
    }
  });

  it('fails a hold when Route 53 answers with a cluster the run set to weight 0 (the records are not what the run wrote), naming it', async () => {
    // The run believes 0/100; Route 53 still holds 100/0 (reverted, or changed by someone).
    const result = await (await verifier())(runAt({ blue: 0, green: 100 }));
    expect(result).toEqual({
      ok: false,
      reason: `DNS: ${QUERIES} of ${QUERIES} answers for burnham.eks-blueprint.example.com named blue, which the run set to weight 0 (Route 53 does not serve what the run wrote)`,
      clusters: { blue: { dnsShare: 1 }, green: { dnsShare: 0 } },
    });
  });

  it('notes, and does not judge, a hold whose queries no server answers (an unreachable name server is not a sign the cutover is wrong)', async () => {
    const endpoints = await sandboxEndpoints(env.sandbox, env.client);
    const silent = dnsVerifier({
      endpointsOf: async () => endpoints,
      // A port nobody answers on.
      settings: { servers: ['127.0.0.1:9'], queries: 2, timeoutMs: 200 },
    });
    expect(await silent(runAt({ blue: 100, green: 0 }))).toEqual({
      ok: true,
      notes: [
        expect.stringMatching(
          /^DNS: none of 2 queries of burnham\.eks-blueprint\.example\.com was answered by 127\.0\.0\.1:9 \(/,
        ),
      ],
    });
  });
});
