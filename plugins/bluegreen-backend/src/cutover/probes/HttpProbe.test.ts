/*
 * The direct probe against the sandbox's load balancer stand-ins (local HTTP servers that
 * answer like the seed's burnham page; not ELB).
 */
import {
  LoadBalancerStandIns,
  startLoadBalancers,
} from '@bluegreen/example-sandbox';
import { percentile, probeHttp } from './HttpProbe';

const HOST = 'burnham.eks-blueprint.example.com';

describe('probeHttp (against the sandbox load balancer stand-ins)', () => {
  let lbs: LoadBalancerStandIns;
  beforeEach(async () => {
    lbs = await startLoadBalancers({
      clusters: ['eks-blueprint-blue', 'eks-blueprint-green'],
    });
  });
  afterEach(() => lbs.close());

  const probe = (cluster: string, count = 40) =>
    probeHttp({
      url: lbs.urls[cluster],
      host: HOST,
      path: '/',
      count,
      timeoutMs: 2000,
    });

  it('counts every answer of a healthy cluster as a success from that cluster, with the Host header the ingress routes on', async () => {
    const result = await probe('eks-blueprint-blue');
    expect(result).toMatchObject({
      requests: 40,
      succeeded: 40,
      successRatio: 1,
      clusters: { 'eks-blueprint-blue': 40 },
      failures: [],
    });
    expect(result.p95Ms).toBeLessThan(1000);
    expect(lbs.served()['eks-blueprint-blue']).toEqual({ 200: 40 });
    expect(lbs.hostsSeen()['eks-blueprint-blue']).toEqual([HOST]);
  });

  it('sees an injected 50 % error rate on green (success ratio within 0.25-0.75 of 100 requests) and names the failures', async () => {
    lbs.setFaults('eks-blueprint-green', { errorRate: 0.5 });
    const result = await probe('eks-blueprint-green', 100);
    expect(result.successRatio).toBeGreaterThanOrEqual(0.25);
    expect(result.successRatio).toBeLessThanOrEqual(0.75);
    expect(result.failures[0]).toBe('HTTP 503');
  });

  it('sees an injected 300 ms delay in the p95 latency', async () => {
    lbs.setFaults('eks-blueprint-green', { delayMs: 300 });
    const result = await probe('eks-blueprint-green', 10);
    expect(result.p95Ms).toBeGreaterThanOrEqual(300);
  });

  it('counts an endpoint that does not answer as failures, saying why', async () => {
    await lbs.close();
    const result = await probe('eks-blueprint-blue', 5);
    expect(result).toMatchObject({ succeeded: 0, successRatio: 0 });
    expect(result.failures[0]).toMatch(/ECONNREFUSED/);
    lbs = await startLoadBalancers({ clusters: [] });
  });

  it('refuses a probe path that could change the request', async () => {
    await expect(
      probeHttp({
        url: lbs.urls['eks-blueprint-blue'],
        host: HOST,
        path: '/x\r\nHost: evil',
        count: 1,
        timeoutMs: 100,
      }),
    ).rejects.toThrow('probe path must start with / and contain no whitespace');
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([], 95)).toBeUndefined();
  });
});
