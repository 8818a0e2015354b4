/*
 * The direct probe against the sandbox's load balancer stand-ins (local HTTP servers that
 * answer like the seed's burnham page; not ELB).
 */
import {
  LoadBalancerStandIns,
  startLoadBalancers,
} from '@bluegreen/example-sandbox';
import http from 'node:http';
import { AddressInfo } from 'node:net';
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

describe('probeHttp against misbehaving servers', () => {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });
  async function serve(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('fails a page that trickles in past the timeout, though it is never silent for long (the timeout is for the whole answer)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const drip = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(drip));
    });
    const started = Date.now();
    const result = await probeHttp({
      url,
      host: HOST,
      path: '/',
      count: 2,
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ succeeded: 0, successRatio: 0 });
    expect(result.failures).toEqual([
      'no answer within 300 ms',
      'no answer within 300 ms',
    ]);
    // And in the latency: cut at the deadline, not left out.
    expect(result.p95Ms).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts a redirect as a failure, saying so (an http→https or login redirect is not the service answering)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(301, {
        location: 'https://burnham.eks-blueprint.example.com/',
      });
      res.end();
    });
    const result = await probeHttp({
      url,
      host: HOST,
      path: '/',
      count: 1,
      timeoutMs: 1000,
    });
    expect(result).toMatchObject({ succeeded: 0, successRatio: 0 });
    expect(result.failures).toEqual(['HTTP 301 (a redirect)']);
  });
});
