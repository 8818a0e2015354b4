/*
 * The CloudWatch check through the real AWS SDK against the sandbox's GetMetricData
 * stand-in (a local stand-in for CloudWatch, not CloudWatch), whose metrics are the
 * traffic the load balancer stand-ins served.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Route53Client } from '@aws-sdk/client-route-53';
import {
  loadBalancerDimension,
  Sandbox,
  startSandbox,
} from '@bluegreen/example-sandbox';
import { presetPlan, Weights } from '@bluegreen/plugin-bluegreen-common';
import { CutoverRunRecord } from '../../database/CutoverRunStore';
import {
  CLUSTERS,
  SANDBOX_CREDENTIALS,
  sandboxRoute53,
} from '../../__testUtils__/sandbox';
import { sandboxEndpoints } from '../../__testUtils__/probeEndpoints';
import { initialRunState } from '../engine/runState';
import { cloudWatchVerifier } from './CloudWatchVerifier';
import { probeHttp } from './HttpProbe';

jest.setTimeout(30_000);

const plan = presetPlan('staged', { blue: 100, green: 0 }, 'green');

describe('cloudWatchVerifier (GetMetricData through the SDK, against the sandbox stand-in)', () => {
  let sandbox: Sandbox;
  let route53: Route53Client;
  let cloudWatch: CloudWatchClient;
  beforeEach(async () => {
    sandbox = await startSandbox({
      throttle: false,
      loadBalancers: { clusters: [CLUSTERS.blue, CLUSTERS.green] },
    });
    route53 = sandboxRoute53(sandbox.url);
    cloudWatch = new CloudWatchClient({
      endpoint: sandbox.url,
      region: 'us-west-2',
      credentials: SANDBOX_CREDENTIALS,
    });
  });
  afterEach(async () => {
    route53.destroy();
    cloudWatch.destroy();
    await sandbox.close();
  });

  /**
   * A run at `weights` whose step took effect at `since`, checked with the stand-in's
   * dimensions and `periodSeconds`, a moment after the traffic (its period is over).
   */
  async function check(weights: Weights, since: number, periodSeconds = 1) {
    const endpoints = await sandboxEndpoints(sandbox, route53);
    const dimensions = Object.fromEntries(
      Object.values(endpoints.answers).map(a => [
        a.aliasTarget!,
        loadBalancerDimension(a.aliasTarget!),
      ]),
    );
    return cloudWatchVerifier({
      endpointsOf: async () => endpoints,
      cloudWatch: async () => cloudWatch,
      settings: {
        max5xxRatio: 0.05,
        maxP95Ms: 200,
        periodSeconds,
        dimensions,
      },
      now: () => Date.now() + periodSeconds * 1000,
    })({
      plan,
      state: { ...initialRunState(plan), weights, appliedAt: since },
    } as CutoverRunRecord);
  }
  const traffic = (cluster: string, count: number) =>
    probeHttp({
      url: sandbox.loadBalancers!.urls[cluster],
      host: 'burnham.eks-blueprint.example.com',
      path: '/',
      count,
      timeoutMs: 2000,
    });
  /** Waits for the next whole second: the first period after `since`. */
  const nextPeriod = (since: number) =>
    new Promise(resolve =>
      setTimeout(resolve, Math.ceil(since / 1000) * 1000 - since + 10),
    );

  it("passes while each serving cluster's load balancer answers, counting only the whole periods after the step", async () => {
    await traffic(CLUSTERS.blue, 10); // before the step: not counted
    const since = Date.now();
    await nextPeriod(since);
    await traffic(CLUSTERS.blue, 30);
    await traffic(CLUSTERS.green, 20);
    const result = await check({ blue: 50, green: 50 }, since);
    expect(result).toEqual({
      ok: true,
      clusters: {
        blue: {
          cloudWatch: expect.objectContaining({ requests: 30, errorRatio: 0 }),
        },
        green: {
          cloudWatch: expect.objectContaining({ requests: 20, errorRatio: 0 }),
        },
      },
    });
  });

  it("fails a hold when green's load balancer answers 5xx past the threshold, naming green and the numbers", async () => {
    const since = Date.now();
    await nextPeriod(since);
    sandbox.loadBalancers!.setFaults(CLUSTERS.green, { errorRate: 1 });
    await traffic(CLUSTERS.green, 20);
    expect(await check({ blue: 50, green: 50 }, since)).toEqual({
      ok: false,
      reason:
        "CloudWatch: green's load balancer answered 100 % of 20 requests with a 5xx (at most 5 % allowed)",
      clusters: {
        blue: { cloudWatch: { requests: 0, errorRatio: 0 } },
        green: {
          cloudWatch: expect.objectContaining({ requests: 20, errorRatio: 1 }),
        },
      },
    });
  });

  it('fails a hold when a period with enough requests has a TargetResponseTime p95 over the threshold', async () => {
    const since = Date.now();
    sandbox.loadBalancers!.setFaults(CLUSTERS.blue, { delayMs: 300 });
    // 40 slow requests, 5 at a time: about 2.4 s, inside one 5 s period or two.
    await new Promise(resolve =>
      setTimeout(resolve, Math.ceil(since / 5000) * 5000 - since + 10),
    );
    await traffic(CLUSTERS.blue, 40);
    const result = await check({ blue: 100, green: 0 }, since, 5);
    expect(result).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^CloudWatch: blue's TargetResponseTime p95 \d+ ms \(at most 200 ms allowed\)$/,
      ),
      clusters: {
        blue: {
          cloudWatch: {
            requests: 40,
            errorRatio: 0,
            p95Ms: expect.any(Number),
          },
        },
      },
    });
    expect(result!.clusters!.blue!.cloudWatch!.p95Ms).toBeGreaterThanOrEqual(
      300,
    );
  });

  it('does not judge a cluster at weight 0', async () => {
    const since = Date.now();
    await nextPeriod(since);
    sandbox.loadBalancers!.setFaults(CLUSTERS.green, { errorRate: 1 });
    await traffic(CLUSTERS.green, 5);
    expect(await check({ blue: 100, green: 0 }, since)).toEqual({
      ok: true,
      clusters: { blue: { cloudWatch: { requests: 0, errorRatio: 0 } } },
    });
  });
});
