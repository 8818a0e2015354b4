import { ConfigReader } from '@backstage/config';
import { readStagedCutoverSettings } from './stagedCutoverSettings';

const read = (staged: object) =>
  readStagedCutoverSettings(
    new ConfigReader({ bluegreen: { cutover: { staged } } }),
  );

describe('readStagedCutoverSettings', () => {
  it('has defaults that make sense: probe and share checks on, DNS and CloudWatch off', () => {
    const settings = readStagedCutoverSettings(new ConfigReader({}));
    expect(settings).toMatchObject({
      probeIntervalMs: 10_000,
      floor: { insyncSeconds: 60 },
      thresholds: { requests: 20, minSuccessRatio: 0.99, maxP95Ms: 1000 },
      share: { requests: 20, tolerance: 0.1, timeoutMs: 2000 },
    });
    expect(settings.dns).toBeUndefined();
    expect(settings.cloudWatch).toBeUndefined();
  });

  it('reads the DNS, share and CloudWatch checks and each load balancer’s URL and dimension', () => {
    const settings = read({
      loadBalancers: [
        {
          dnsName: 'K8S-A-1.us-west-2.elb.amazonaws.com.',
          url: 'http://127.0.0.1:4581/',
          cloudWatchDimension: 'app/k8s-a/0123',
        },
        { dnsName: 'k8s-b-2.us-west-2.elb.amazonaws.com' },
      ],
      dns: { servers: ['127.0.0.1:4553'], queries: 40 },
      share: { requests: 0 },
      cloudWatch: { max5xxRatio: 0.05 },
    });
    expect(settings.loadBalancers).toEqual({
      'k8s-a-1.us-west-2.elb.amazonaws.com': 'http://127.0.0.1:4581',
    });
    expect(settings.dns).toEqual({
      servers: ['127.0.0.1:4553'],
      queries: 40,
      timeoutMs: 2000,
    });
    expect(settings.share).toBeUndefined();
    expect(settings.cloudWatch).toEqual({
      max5xxRatio: 0.05,
      maxP95Ms: 1000,
      periodSeconds: 60,
      dimensions: { 'k8s-a-1.us-west-2.elb.amazonaws.com': 'app/k8s-a/0123' },
    });
  });

  it.each([
    [
      { dns: { servers: ['not a server!'] } },
      /^bluegreen\.cutover\.staged\.dns\.servers must list name servers by IP address/,
    ],
    [
      { share: { tolerance: 2 } },
      /^bluegreen\.cutover\.staged\.share\.tolerance must be at most 1, got 2$/,
    ],
    [
      { share: { requests: -1 } },
      /^bluegreen\.cutover\.staged\.share\.requests must be 0 \(off\) or more/,
    ],
    [
      { cloudWatch: { max5xxRatio: 1.5 } },
      /^bluegreen\.cutover\.staged\.cloudWatch\.max5xxRatio must be at most 1/,
    ],
    [
      {
        loadBalancers: [{ dnsName: 'a.example.com', cloudWatchDimension: 'a' }],
      },
      /^bluegreen\.cutover\.staged\.loadBalancers \(a\.example\.com\)\.cloudWatchDimension must be an Application Load Balancer's LoadBalancer dimension/,
    ],
    [
      { dns: { servers: ['ns-123.awsdns-45.com'] } },
      /^bluegreen\.cutover\.staged\.dns\.servers must list name servers by IP address/,
    ],
    [
      { cloudWatch: { periodSeconds: 45 } },
      /^bluegreen\.cutover\.staged\.cloudWatch\.periodSeconds must be 1, 5, 10, 30 or a multiple of 60, got 45$/,
    ],
    [
      {
        loadBalancers: [
          { dnsName: 'a.example.com', cloudWatchDimension: 'net/a/0123' },
        ],
      },
      /cloudWatchDimension must be an Application Load Balancer's LoadBalancer dimension/,
    ],
    [
      { loadBalancers: [{ dnsName: 'a.example.com', url: 'ftp://x' }] },
      /^bluegreen\.cutover\.staged\.loadBalancers \(a\.example\.com\)\.url must be an http\(s\) URL/,
    ],
  ])('refuses %j, naming the key and the rule', (staged, message) => {
    expect(() => read(staged)).toThrow(message);
  });
});
