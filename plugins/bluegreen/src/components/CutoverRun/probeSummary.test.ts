import { probeSummary } from './probeSummary';

describe('probeSummary', () => {
  it('shows each check that saw the cluster', () => {
    expect(
      probeSummary({
        requests: 20,
        successRatio: 0.95,
        p95Ms: 12.4,
        observedShare: 0.45,
        expectedShare: 0.5,
        dnsShare: 0.55,
        cloudWatch: { requests: 340, errorRatio: 0.0029, p95Ms: 15.2 },
      }),
    ).toBe(
      '95 % of 20 ok · p95 12 ms · share 45 % (50 % expected) · DNS 55 % · CloudWatch 0.3 % 5xx of 340, p95 15 ms',
    );
  });

  it('leaves out the checks that did not (a cluster at weight 0 is not probed directly)', () => {
    expect(
      probeSummary({ observedShare: 0, expectedShare: 0, dnsShare: 0 }),
    ).toBe('share 0 % (0 % expected) · DNS 0 %');
  });
});
