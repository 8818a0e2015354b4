/*
 * The probe verifier against the sandbox's load balancer stand-ins (local HTTP servers,
 * not ELB), one per cluster.
 */
import {
  LoadBalancerStandIns,
  startLoadBalancers,
} from '@bluegreen/example-sandbox';
import {
  presetPlan,
  ProbeThresholdOverrides,
  Weights,
} from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import { initialRunState } from '../engine/runState';
import { probeVerifier } from './ProbeVerifier';

const BLUE = 'eks-blueprint-blue';
const GREEN = 'eks-blueprint-green';

describe('probeVerifier (against the sandbox load balancer stand-ins)', () => {
  let lbs: LoadBalancerStandIns;
  beforeEach(async () => {
    lbs = await startLoadBalancers({ clusters: [BLUE, GREEN] });
  });
  afterEach(() => lbs.close());

  const plan = presetPlan('staged', { blue: 100, green: 0 }, 'green');
  const runAt = (weights: Weights) =>
    ({
      plan,
      state: { ...initialRunState(plan), weights },
    } as unknown as CutoverRunRecord);
  const endpoints = (overrides: ProbeThresholdOverrides = {}) => ({
    host: 'burnham.eks-blueprint.example.com',
    path: '/',
    clusters: { blue: BLUE, green: GREEN },
    recordType: 'A',
    loadBalancers: { blue: lbs.urls[BLUE], green: lbs.urls[GREEN] },
    answers: { blue: { values: [] }, green: { values: [] } },
    overrides,
  });
  const verifier = () =>
    probeVerifier({ endpointsOf: async () => endpoints() });

  it('passes a hold while both serving clusters answer (50/50)', async () => {
    expect(await verifier()(runAt({ blue: 50, green: 50 }))).toEqual({
      ok: true,
      clusters: {
        blue: { requests: 20, successRatio: 1, p95Ms: expect.any(Number) },
        green: { requests: 20, successRatio: 1, p95Ms: expect.any(Number) },
      },
    });
    expect(lbs.served()).toEqual({
      [BLUE]: { 200: 20 },
      [GREEN]: { 200: 20 },
    });
  });

  it('fails a hold when green answers 5xx at 50 %, naming green and the numbers', async () => {
    lbs.setFaults(GREEN, { errorRate: 0.5 });
    const result = await verifier()(runAt({ blue: 50, green: 50 }));
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^green: \d+(\.\d)? % of 20 probes succeeded \(at least 99 % needed; HTTP 503/,
      ),
      clusters: expect.objectContaining({
        green: expect.objectContaining({
          requests: 20,
          successRatio: expect.any(Number),
        }),
      }),
    });
    expect(result!.clusters!.green!.successRatio).toBeLessThan(0.99);
  });

  it("fails a hold when a cluster is slow (p95 over the service's own threshold, its annotation over the configured 1000 ms)", async () => {
    // Green serves nothing here: a loaded machine's latency cannot fail it instead.
    lbs.setFaults(BLUE, { delayMs: 400 });
    const slow = probeVerifier({
      endpointsOf: async () => endpoints({ maxP95Ms: 200 }),
      thresholds: {
        requests: 5,
        minSuccessRatio: 0.99,
        maxP95Ms: 1000,
        timeoutMs: 2000,
      },
    });
    expect(await slow(runAt({ blue: 100, green: 0 }))).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^blue: p95 \d+ ms over 5 probes \(at most 200 ms allowed\)$/,
      ),
      clusters: {
        blue: {
          requests: 5,
          successRatio: 1,
          p95Ms: expect.any(Number),
        },
      },
    });
  });

  it('cannot loosen the configured pass marks through an annotation (an owner cannot switch the gate off)', async () => {
    lbs.setFaults(BLUE, { delayMs: 400 });
    const loose = probeVerifier({
      endpointsOf: async () =>
        endpoints({ maxP95Ms: 60_000, minSuccessRatio: 0.0001 }),
      thresholds: {
        requests: 5,
        minSuccessRatio: 0.99,
        maxP95Ms: 200,
        timeoutMs: 2000,
      },
    });
    expect(await loose(runAt({ blue: 100, green: 0 }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/\(at most 200 ms allowed\)$/),
    });
  });

  it('does not probe a cluster at weight 0: a failing green serves nothing at 100/0', async () => {
    lbs.setFaults(GREEN, { errorRate: 1 });
    expect(await verifier()(runAt({ blue: 100, green: 0 }))).toEqual({
      ok: true,
      clusters: {
        blue: { requests: 20, successRatio: 1, p95Ms: expect.any(Number) },
      },
    });
    expect(lbs.served()[GREEN]).toEqual({});
  });
});
