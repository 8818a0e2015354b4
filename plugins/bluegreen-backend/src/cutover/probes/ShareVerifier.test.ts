/*
 * The seed's check against the sandbox: the hostname resolved through the DNS stand-in
 * (a local stand-in for Route 53's name servers), each request sent where the answer
 * points (the load balancer stand-ins, local HTTP servers answering like the seed's
 * burnham page), counted by the CLUSTER_NAME that answered.
 */
import {
  CutoverPlan,
  presetPlan,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { CLUSTERS } from '../../__testUtils__/sandbox';
import {
  dnsServer,
  useProbeSandbox,
  sandboxEndpoints,
  setSandboxWeights,
} from '../../__testUtils__/probeEndpoints';
import { initialRunState } from '../engine/runState';
import { shareVerifier } from './ShareVerifier';

const REQUESTS = 40;
const NOW = 1_000_000;
const plan: CutoverPlan = presetPlan(
  'staged',
  { blue: 100, green: 0 },
  'green',
);

/** A run holding step `stepIndex` at `weights`, written `sinceMs` ago, with a TTL of 60 s. */
const runAt = (weights: Weights, stepIndex: number, sinceMs: number) =>
  ({
    plan,
    floor: { ttlSeconds: 60, insyncSeconds: 60 },
    state: {
      ...initialRunState(plan),
      stepIndex,
      weights,
      appliedAt: NOW - sinceMs,
    },
  } as CutoverRunRecord);

describe('shareVerifier (the hostname through the DNS stand-in, answered by the load balancer stand-ins)', () => {
  const env = useProbeSandbox();
  const verifier = async () => {
    const endpoints = await sandboxEndpoints(env.sandbox, env.client);
    return shareVerifier({
      endpointsOf: async () => endpoints,
      settings: {
        requests: REQUESTS,
        servers: [dnsServer(env.sandbox)],
        tolerance: 0.1,
        timeoutMs: 2000,
      },
      now: () => NOW,
    });
  };

  it(`reports the observed share of ${REQUESTS} requests against the expected one at 50/50 (each 25-75 %), informative before the final step`, async () => {
    await setSandboxWeights(env.client, { blue: 50, green: 50 });
    const result = await (
      await verifier()
    )(runAt({ blue: 50, green: 50 }, 1, 0));
    expect(result?.ok).toBe(true);
    const { blue, green } = result!.clusters!;
    expect(blue!.expectedShare).toBe(0.5);
    expect(green!.expectedShare).toBe(0.5);
    expect(blue!.observedShare! + green!.observedShare!).toBeCloseTo(1);
    for (const share of [blue!.observedShare!, green!.observedShare!]) {
      expect(share).toBeGreaterThanOrEqual(0.25);
      expect(share).toBeLessThanOrEqual(0.75);
    }
    // Every request went where DNS sent it, with the service's Host header.
    const served = env.sandbox.loadBalancers!.served();
    expect(
      (served[CLUSTERS.blue][200] ?? 0) + (served[CLUSTERS.green][200] ?? 0),
    ).toBe(REQUESTS);
    expect(env.sandbox.loadBalancers!.hostsSeen()[CLUSTERS.green]).toEqual([
      'burnham.eks-blueprint.example.com',
    ]);
  });

  it('does not judge a share that lags at an earlier step, or at the final step within the TTL', async () => {
    // The run wrote 0/100; users still reach blue (here: Route 53 still says 100/0).
    const verify = await verifier();
    expect((await verify(runAt({ blue: 50, green: 50 }, 1, 120_000)))?.ok).toBe(
      true,
    );
    expect((await verify(runAt({ blue: 0, green: 100 }, 2, 59_000)))?.ok).toBe(
      true,
    );
  });

  it('fails the final step past its TTL when users still reach the losing cluster, naming it and the numbers', async () => {
    const result = await (
      await verifier()
    )(runAt({ blue: 0, green: 100 }, 2, 60_000));
    expect(result).toEqual({
      ok: false,
      reason: `share: blue still answered 100 % of ${REQUESTS} requests to burnham.eks-blueprint.example.com at the final step (0/100), past the TTL of 60 s (at most 10 % allowed)`,
      clusters: {
        blue: { observedShare: 1, expectedShare: 0 },
        green: { observedShare: 0, expectedShare: 1 },
      },
    });
  });

  it('notes, and does not judge, a hostname it cannot resolve (a backend that cannot reach the public name must not roll back a healthy cutover)', async () => {
    const endpoints = await sandboxEndpoints(env.sandbox, env.client);
    const blind = shareVerifier({
      endpointsOf: async () => endpoints,
      // A port nobody answers on.
      settings: {
        requests: 4,
        servers: ['127.0.0.1:9'],
        tolerance: 0.1,
        timeoutMs: 200,
      },
      now: () => NOW,
    });
    expect(await blind(runAt({ blue: 0, green: 100 }, 2, 60_000))).toEqual({
      ok: true,
      clusters: {
        blue: { expectedShare: 0 },
        green: { expectedShare: 1 },
      },
      notes: [
        expect.stringMatching(
          /^share: 0 of 4 requests to burnham\.eks-blueprint\.example\.com were answered by a cluster, too few to judge \(burnham\.eks-blueprint\.example\.com: /,
        ),
      ],
    });
  });

  it('passes the final step once users reach the cluster it moved to', async () => {
    await setSandboxWeights(env.client, { blue: 0, green: 100 });
    expect(
      await (
        await verifier()
      )(runAt({ blue: 0, green: 100 }, 2, 60_000)),
    ).toEqual({
      ok: true,
      clusters: {
        blue: { observedShare: 0, expectedShare: 0 },
        green: { observedShare: 1, expectedShare: 1 },
      },
    });
  });
});
